// The per-record entries of a PutRecords answer, read by index without an object per record.
// The SDK hands over parsed entries; --kinesis-client http scans the answer's bytes once and keeps,
// per entry, where its four strings are. JSON.parse made ~500 objects and strings per answer,
// which lived until the batch was done: on 100-byte records they were a third of what V8 promoted
// to its old space, and the largest part of kprod's memory on Kinesis (bench/README.md).

import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis'

/** The entries of one PutRecords answer, in request order. */
export interface PutRecordsEntries {
  readonly length: number
  /** Whether entry i was refused: it has a non-empty ErrorCode ("ErrorCode": null is a success). */
  failed (i: number): boolean
  errorCode (i: number): string | undefined
  errorMessage (i: number): string | undefined
  shardId (i: number): string | undefined
  sequenceNumber (i: number): string | undefined
}

/** Entries the SDK (or a test) parsed, read in place. */
export function parsedEntries (records: readonly PutRecordsResultEntry[]): PutRecordsEntries {
  return new ParsedEntries(records)
}

class ParsedEntries implements PutRecordsEntries {
  readonly #records: readonly PutRecordsResultEntry[]

  constructor (records: readonly PutRecordsResultEntry[]) {
    this.#records = records
  }

  get length (): number { return this.#records.length }
  failed (i: number): boolean {
    const code = this.#records[i]?.ErrorCode
    return typeof code === 'string' && code !== ''
  }

  errorCode (i: number): string | undefined { return this.#records[i]?.ErrorCode ?? undefined }
  errorMessage (i: number): string | undefined { return this.#records[i]?.ErrorMessage ?? undefined }
  shardId (i: number): string | undefined { return this.#records[i]?.ShardId ?? undefined }
  sequenceNumber (i: number): string | undefined { return this.#records[i]?.SequenceNumber ?? undefined }
}

/** The top level of a 200 answer, with its entries as spans of the body. */
export interface ScannedAnswer {
  readonly failedRecordCount: number | undefined
  readonly encryptionType: string | undefined
  readonly entries: PutRecordsEntries
}

// Per entry, start and end of: SequenceNumber, ShardId, ErrorCode, ErrorMessage (-1: absent or null).
const FIELDS = 4
const SEQUENCE = 0
const SHARD = 1
const CODE = 2
const MESSAGE = 3
const ENTRY_KEYS = ['SequenceNumber', 'ShardId', 'ErrorCode', 'ErrorMessage'].map((k) => Buffer.from(k))
const TOP_KEYS = ['FailedRecordCount', 'EncryptionType', 'Records'].map((k) => Buffer.from(k))

const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Scans a PutRecords answer. Returns null for anything but a JSON object whose Records (if any)
 * is an array of objects with string or null fields: the caller then parses it the ordinary way,
 * and says what was wrong with it. Unknown keys, any whitespace and escapes are allowed.
 */
export function scanPutRecordsAnswer (body: Buffer): ScannedAnswer | null {
  try {
    return new Scanner(body).answer()
  } catch (err) {
    if (err instanceof NotTheShape) return null
    throw err
  }
}

class NotTheShape extends Error {}
const notTheShape = new NotTheShape('not a PutRecords answer')

class Scanner {
  readonly #b: Buffer
  #at = 0
  // Start and end of the last string read.
  #start = 0
  #end = 0

  constructor (body: Buffer) {
    this.#b = body
  }

  answer (): ScannedAnswer {
    let failedRecordCount: number | undefined
    let encryptionType: string | undefined
    let entries: ScannedEntries = new ScannedEntries(this.#b, new Int32Array(0), 0, null)
    this.#open(0x7b)
    if (!this.#closes(0x7d)) {
      do {
        const key = this.#key(TOP_KEYS)
        if (key === 0) failedRecordCount = this.#count()
        else if (key === 1) encryptionType = this.#text() ?? undefined
        else if (key === 2) entries = this.#entries()
        else this.#skip()
      } while (this.#next(0x7d))
    }
    this.#ws()
    if (this.#at !== this.#b.length) throw notTheShape
    return { failedRecordCount, encryptionType, entries }
  }

  #entries (): ScannedEntries {
    let spans = new Int32Array(FIELDS * 2 * 64)
    let n = 0
    let decoded: Map<number, string> | null = null
    this.#open(0x5b)
    if (!this.#closes(0x5d)) {
      do {
        if ((n + 1) * FIELDS * 2 > spans.length) {
          const grown = new Int32Array(spans.length * 2)
          grown.set(spans)
          spans = grown
        }
        const base = n * FIELDS * 2
        spans.fill(-1, base, base + FIELDS * 2)
        this.#open(0x7b)
        if (!this.#closes(0x7d)) {
          do {
            const field = this.#key(ENTRY_KEYS)
            if (field < 0) {
              this.#skip()
              continue
            }
            const escaped = this.#stringOrNull()
            const at = base + field * 2
            // A repeated key wins, as in JSON.parse (null included): nothing of an earlier value stays.
            decoded?.delete(at)
            if (escaped === null) {
              spans[at] = spans[at + 1] = -1
              continue
            }
            spans[at] = this.#start
            spans[at + 1] = this.#end
            if (escaped) (decoded ??= new Map()).set(at, this.#decode())
          } while (this.#next(0x7d))
        }
        n++
      } while (this.#next(0x5d))
    }
    return new ScannedEntries(this.#b, spans, n, decoded)
  }

  // Which of `keys` the next object key is (-1: another), with the colon after it consumed.
  #key (keys: readonly Buffer[]): number {
    const escaped = this.#string()
    this.#open(0x3a)
    if (escaped) return -1
    const length = this.#end - this.#start
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as Buffer
      if (key.length === length && key.compare(this.#b, this.#start, this.#end) === 0) return k
    }
    return -1
  }

  // A string (true when it has escapes) or null (returns null); anything else is not the shape.
  #stringOrNull (): boolean | null {
    this.#ws()
    if (this.#b[this.#at] === 0x6e) {
      this.#literal('null')
      return null
    }
    return this.#string()
  }

  #text (): string | null {
    const escaped = this.#stringOrNull()
    if (escaped === null) return null
    return escaped ? this.#decode() : this.#b.toString('utf8', this.#start, this.#end)
  }

  // Reads a string; its content is [#start, #end). Returns whether it holds an escape. A loop
  // in JavaScript: the strings are short (sequence numbers, shard ids), and a native search per
  // string would cost more than it saves.
  #string (): boolean {
    this.#open(QUOTE)
    const b = this.#b
    const start = this.#at
    let escaped = false
    let at = start
    for (;;) {
      if (at >= b.length) throw notTheShape
      const c = b[at] as number
      if (c === QUOTE) break
      if (c === BACKSLASH) {
        escaped = true
        at += 2
      } else {
        at++
      }
    }
    this.#start = start
    this.#end = at
    this.#at = at + 1
    return escaped
  }

  #decode (): string {
    try {
      return JSON.parse(this.#b.toString('utf8', this.#start - 1, this.#end + 1)) as string
    } catch {
      throw notTheShape
    }
  }

  // A non-negative integer or null.
  #count (): number | undefined {
    this.#ws()
    const b = this.#b
    if (b[this.#at] === 0x6e) {
      this.#literal('null')
      return undefined
    }
    const start = this.#at
    let value = 0
    while (this.#at < b.length && (b[this.#at] as number) >= 0x30 && (b[this.#at] as number) <= 0x39) value = value * 10 + (b[this.#at++] as number) - 0x30
    if (this.#at === start) throw notTheShape
    return value
  }

  // Skips any JSON value.
  #skip (): void {
    this.#ws()
    const c = this.#b[this.#at]
    if (c === QUOTE) {
      this.#string()
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d
      this.#at++
      if (this.#closes(close)) return
      do {
        if (c === 0x7b) {
          this.#string()
          this.#open(0x3a)
        }
        this.#skip()
      } while (this.#next(close))
    } else if (c === 0x74) {
      this.#literal('true')
    } else if (c === 0x66) {
      this.#literal('false')
    } else if (c === 0x6e) {
      this.#literal('null')
    } else {
      const start = this.#at
      while (this.#at < this.#b.length && isNumberByte(this.#b[this.#at] as number)) this.#at++
      if (this.#at === start) throw notTheShape
    }
  }

  #literal (word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.#b[this.#at + k] !== word.charCodeAt(k)) throw notTheShape
    }
    this.#at += word.length
  }

  // After a member or element: true on a comma, false on `close`.
  #next (close: number): boolean {
    this.#ws()
    const c = this.#b[this.#at++]
    if (c === 0x2c) return true
    if (c === close) return false
    throw notTheShape
  }

  #closes (close: number): boolean {
    this.#ws()
    if (this.#b[this.#at] !== close) return false
    this.#at++
    return true
  }

  #open (c: number): void {
    this.#ws()
    if (this.#b[this.#at] !== c) throw notTheShape
    this.#at++
  }

  #ws (): void {
    const b = this.#b
    let at = this.#at
    while (at < b.length) {
      const c = b[at] as number
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
      at++
    }
    this.#at = at
  }
}

function isNumberByte (c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45
}

class ScannedEntries implements PutRecordsEntries {
  readonly length: number
  readonly #body: Buffer
  readonly #spans: Int32Array
  // Strings with escapes, decoded while scanning, by span index.
  readonly #decoded: Map<number, string> | null

  constructor (body: Buffer, spans: Int32Array, length: number, decoded: Map<number, string> | null) {
    this.#body = body
    this.#spans = spans
    this.length = length
    this.#decoded = decoded
  }

  failed (i: number): boolean {
    const at = (i * FIELDS + CODE) * 2
    return i < this.length && (this.#spans[at] as number) >= 0 && this.#spans[at + 1] !== this.#spans[at]
  }

  errorCode (i: number): string | undefined { return this.#field(i, CODE) }
  errorMessage (i: number): string | undefined { return this.#field(i, MESSAGE) }
  shardId (i: number): string | undefined { return this.#field(i, SHARD) }
  sequenceNumber (i: number): string | undefined { return this.#field(i, SEQUENCE) }

  #field (i: number, field: number): string | undefined {
    if (i < 0 || i >= this.length) return undefined
    const at = (i * FIELDS + field) * 2
    const start = this.#spans[at] as number
    if (start < 0) return undefined
    return this.#decoded?.get(at) ?? this.#body.toString('utf8', start, this.#spans[at + 1])
  }
}
