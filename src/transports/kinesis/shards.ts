// Partition keys and the shards they hash to. Kinesis sends a record to the open shard whose
// [StartingHashKey, EndingHashKey] holds the MD5 of its UTF-8 partition key, read as an unsigned
// 128-bit big-endian number. BigInt is used only to build a ShardMap; a lookup compares 32-bit words.

import { isUtf8 } from 'node:buffer'
import { hash } from 'node:crypto'
import type { Shard } from '@aws-sdk/client-kinesis'
import { ANY_PARTITION } from '../../batch/batch.ts'
import type { InputRecord } from '../../record.ts'

/** A partition key has 1 to 256 characters. */
export const MAX_KEY_CHARS = 256
/** Length of a generated partition key (32 hex characters, so 32 bytes) for a record without a key. */
export const GENERATED_KEY_BYTES = 32

const MAX_HASH_KEY = (1n << 128n) - 1n
const SHARD_ID = /^shardId-(\d{1,15})$/

/** One open shard: its id, the index kprod uses as its partition, and its hash key range. */
export interface ShardRange {
  readonly shardId: string
  readonly index: number
  readonly start: bigint
  readonly end: bigint
}

/** "shardId-000000000003" → 3; null for any other form. */
export function shardIndexOf (shardId: string): number | null {
  const m = SHARD_ID.exec(shardId)
  return m === null ? null : Number(m[1])
}

/**
 * The open shards (those without an ending sequence number), sorted by start. A shard's index is
 * the number in its id when every id has a distinct one (AWS and both emulators), else its rank.
 */
export function openShardRanges (shards: readonly Shard[]): ShardRange[] {
  const open = shards
    .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber == null)
    .map((s) => ({ shardId: s.ShardId ?? '', start: hashKey(s.HashKeyRange?.StartingHashKey), end: hashKey(s.HashKeyRange?.EndingHashKey) }))
    .sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0)
  const parsed = open.map((s) => shardIndexOf(s.shardId))
  const usable = parsed.every((n) => n !== null) && new Set(parsed).size === parsed.length
  return open.map((s, i) => ({ ...s, index: usable ? parsed[i] as number : i }))
}

function hashKey (text: string | undefined): bigint {
  const value = text !== undefined && /^\d{1,39}$/.test(text) ? BigInt(text) : -1n
  if (value < 0n || value > MAX_HASH_KEY) throw new Error(`ListShards returned an invalid hash key: ${String(text)}`)
  return value
}

/** Maps partition keys to shard indexes. Lookups allocate only the 16-character digest string. */
export class ShardMap {
  readonly ranges: readonly ShardRange[]
  // Four big-endian 32-bit words per shard, in `ranges` order.
  readonly #starts: Uint32Array
  readonly #ends: Uint32Array
  readonly #byId: ReadonlyMap<string, number>

  constructor (ranges: readonly ShardRange[]) {
    this.ranges = [...ranges].sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0)
    this.#starts = new Uint32Array(this.ranges.length * 4)
    this.#ends = new Uint32Array(this.ranges.length * 4)
    this.ranges.forEach((r, i) => { words(r.start, this.#starts, i * 4); words(r.end, this.#ends, i * 4) })
    this.#byId = new Map(this.ranges.map((r) => [r.shardId, r.index]))
  }

  /** Every shard index, ascending: the transport's partitions. */
  get partitions (): number[] {
    return this.ranges.map((r) => r.index).sort((a, b) => a - b)
  }

  /** The open shard whose index is `index`, or null. */
  rangeOf (index: number): ShardRange | null {
    return this.ranges.find((r) => r.index === index) ?? null
  }

  /** The index of a shard named in a PutRecords result, or null when it was not open at connect. */
  indexOfShard (shardId: string): number | null {
    return this.#byId.get(shardId) ?? null
  }

  /** The index of the shard a partition key (string, or its UTF-8 bytes) lands on; ANY_PARTITION when no open shard holds it. */
  shardFor (key: string | Buffer): number {
    // A 'binary' (latin1) digest is a 16-character string whose char codes are the bytes: no Buffer to allocate.
    const d = hash('md5', key, 'binary')
    return this.#shardOfWords(word(d, 0), word(d, 4), word(d, 8), word(d, 12))
  }

  /** The index of the shard whose range holds an explicit hash key; ANY_PARTITION when none does. */
  shardForHashKey (value: bigint): number {
    const w = new Uint32Array(4)
    words(value, w, 0)
    return this.#shardOfWords(w[0] as number, w[1] as number, w[2] as number, w[3] as number)
  }

  #shardOfWords (w0: number, w1: number, w2: number, w3: number): number {
    // The last shard whose start is <= the hash, by binary search over the sorted starts.
    let lo = 0
    let hi = this.ranges.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (compare(this.#starts, mid * 4, w0, w1, w2, w3) <= 0) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    if (found < 0 || compare(this.#ends, found * 4, w0, w1, w2, w3) < 0) return ANY_PARTITION
    return (this.ranges[found] as ShardRange).index
  }
}

function words (value: bigint, into: Uint32Array, at: number): void {
  for (let k = 0; k < 4; k++) into[at + k] = Number((value >> BigInt(96 - 32 * k)) & 0xffffffffn)
}

function word (digest: string, at: number): number {
  return ((digest.charCodeAt(at) << 24) | (digest.charCodeAt(at + 1) << 16) | (digest.charCodeAt(at + 2) << 8) | digest.charCodeAt(at + 3)) >>> 0
}

/** Sign of (table entry at `at`) − (w0 w1 w2 w3); nearly always settled by the first word. */
function compare (table: Uint32Array, at: number, w0: number, w1: number, w2: number, w3: number): number {
  const a = table[at] as number
  if (a !== w0) return a < w0 ? -1 : 1
  const b = table[at + 1] as number
  if (b !== w1) return b < w1 ? -1 : 1
  const c = table[at + 2] as number
  if (c !== w2) return c < w2 ? -1 : 1
  const e = table[at + 3] as number
  return e === w3 ? 0 : e < w3 ? -1 : 1
}

/** The stable generated key of a line: its hex MD5 (the same line always lands on the same shard). */
export function lineHashKey (line: Buffer): string {
  return hash('md5', line, 'hex')
}

/**
 * The partition keys of one PutRecords call. Record i's is text[i] when set, else the 32 hex
 * characters of random[16i, 16i + 16): a generated key is kept as bytes, so --kinesis-client http
 * writes it into the request without making a string per record.
 */
export interface PartitionKeys {
  /** null when every key is random. */
  readonly text: ReadonlyArray<string | undefined> | null
  /** GENERATED_KEY_BYTES / 2 random bytes per record of the call, or null when no key is random. */
  readonly random: Buffer | null
}

/**
 * The partition key of every record: its own key decoded as UTF-8 (check() has refused keys that
 * are not valid UTF-8), else a generated one: hex MD5 of the line ('hash') or 32 random hex
 * characters ('random', one randomBytes call per batch).
 */
export function partitionKeys (records: readonly InputRecord[], mode: 'random' | 'hash', randomBytes: (size: number) => Buffer): PartitionKeys {
  let text: Array<string | undefined> | null = null
  let random: Buffer | null = null
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as InputRecord
    if (r.key !== null) {
      (text ??= new Array<string | undefined>(records.length))[i] = r.key.toString('utf8')
    } else if (mode === 'hash') {
      (text ??= new Array<string | undefined>(records.length))[i] = lineHashKey(r.line)
    } else {
      random ??= randomBytes(records.length * GENERATED_KEY_BYTES / 2)
    }
  }
  return { text, random }
}

/** Every record's partition key as text; the random bytes are turned into hex once, then sliced. */
export function partitionKeyTexts (keys: PartitionKeys, n: number): string[] {
  const texts = new Array<string>(n)
  const hex = keys.random?.toString('hex') ?? ''
  for (let i = 0; i < n; i++) texts[i] = keys.text?.[i] ?? hex.slice(i * GENERATED_KEY_BYTES, (i + 1) * GENERATED_KEY_BYTES)
  return texts
}

/** The largest hash key, 2^128 - 1, as text. */
export const MAX_HASH_KEY_TEXT = MAX_HASH_KEY.toString()

/** A record key as an ExplicitHashKey: a decimal 0..2^128-1 (no sign, no spaces), else null. */
export function explicitHashKeyOf (key: Buffer): bigint | null {
  if (key.length === 0 || key.length > 39) return null
  for (const byte of key) if (byte < 0x30 || byte > 0x39) return null
  const value = BigInt(key.toString('latin1'))
  return value <= MAX_HASH_KEY ? value : null
}

/** Why a partition key can never be put, or null. Characters are UTF-16 units, as AWS and kinesalite count them. */
export function keyProblem (key: Buffer): string | null {
  if (key.length === 0) return `partition key is empty; Kinesis needs 1 to ${MAX_KEY_CHARS} characters`
  if (!isUtf8(key)) return 'partition key is not valid UTF-8; Kinesis partition keys are Unicode text'
  // A UTF-8 byte never yields more than one UTF-16 unit, so only keys over 256 bytes need decoding.
  if (key.length <= MAX_KEY_CHARS) return null
  const chars = key.toString('utf8').length
  return chars > MAX_KEY_CHARS ? `partition key is ${chars} characters, over Kinesis's ${MAX_KEY_CHARS}` : null
}
