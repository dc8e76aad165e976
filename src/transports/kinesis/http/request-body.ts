// The PutRecords request body for --kinesis-client http: JSON written into one Buffer straight
// from the bytes each line was read into. Values are base64-encoded into the body and generated
// partition keys hex-encoded into it, so a request makes no string and no object per record: at
// a million 100-byte records those strings were ~60 % of what kprod allocated on Kinesis, and
// V8 collected its young generation twice as often for them (bench/README.md).

import { LineRecord, recordValueBytes, type InputRecord } from '../../../record.ts'
import { GENERATED_KEY_BYTES, type PartitionKeys } from '../shards.ts'

/** One PutRecords call: the records' values go as Data, their partition keys (PartitionKeys) as PartitionKey. */
export interface PutRecordsCall {
  readonly stream: string
  readonly records: readonly InputRecord[]
  readonly keys: PartitionKeys
  /** Each key is also the record's ExplicitHashKey (check() let only decimal keys through, so none is random). */
  readonly explicitHashKeys: boolean
}

const BASE64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1')
const HEX = Buffer.from('0123456789abcdef', 'latin1')
const EQUALS = 0x3d
const QUOTE = 0x22
/** Longer values are encoded by node (one string each): its encoder is faster once the string's cost is shared by enough bytes. */
const NATIVE_BASE64_FROM = 1024
const RANDOM_KEY_BYTES = GENERATED_KEY_BYTES / 2

/** The request as JSON: keys and the stream name JSON-escaped, everything else written byte by byte. */
export function encodePutRecords (call: PutRecordsCall): Buffer {
  const { records, keys } = call
  const text = keys.text
  const random = keys.random
  const stream = JSON.stringify(call.stream)
  // JSON of the text keys; a generated key (text[i] undefined) is 32 hex characters in quotes.
  const quoted = text === null ? null : new Array<string | undefined>(records.length)
  let size = 32 + Buffer.byteLength(stream)
  for (let i = 0; i < records.length; i++) {
    size += 64 + Math.ceil(recordValueBytes(records[i]!) / 3) * 4
    const key = text?.[i]
    if (key === undefined) {
      size += GENERATED_KEY_BYTES + 2
    } else {
      const json = JSON.stringify(key)
      quoted![i] = json
      // Up to 3 UTF-8 bytes per UTF-16 unit, written once more as ExplicitHashKey.
      size += (call.explicitHashKeys ? 6 : 3) * json.length
    }
  }
  const body = Buffer.allocUnsafe(size)
  let at = body.write(`{"StreamName":${stream},"Records":[`, 0, 'utf8')
  for (let i = 0; i < records.length; i++) {
    at += body.write(i === 0 ? '{"Data":"' : ',{"Data":"', at, 'latin1')
    at = writeBase64(records[i]!, body, at)
    at += body.write('","PartitionKey":', at, 'latin1')
    const json = quoted?.[i]
    if (json === undefined) {
      body[at++] = QUOTE
      at = writeHex(random as Buffer, i * RANDOM_KEY_BYTES, RANDOM_KEY_BYTES, body, at)
      body[at++] = QUOTE
    } else {
      at += body.write(json, at, 'utf8')
      if (call.explicitHashKeys) {
        at += body.write(',"ExplicitHashKey":', at, 'latin1')
        at += body.write(json, at, 'utf8')
      }
    }
    body[at++] = 0x7d // }
  }
  at += body.write(']}', at, 'latin1')
  return body.subarray(0, at)
}

/** The record's value as base64 into `out` at `at`; returns where it ends. */
export function writeBase64 (record: InputRecord, out: Buffer, at: number): number {
  let src: Buffer
  let start: number
  let end: number
  if (record instanceof LineRecord) {
    src = record.bytes
    start = record.valueStart
    end = record.end
  } else {
    src = record.value
    start = 0
    end = src.length
  }
  if (end - start >= NATIVE_BASE64_FROM) return at + out.write(src.toString('base64', start, end), at, 'latin1')
  let i = start
  for (const stop = end - 2; i < stop; i += 3) {
    const n = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!
    out[at] = BASE64[n >>> 18]!
    out[at + 1] = BASE64[(n >>> 12) & 63]!
    out[at + 2] = BASE64[(n >>> 6) & 63]!
    out[at + 3] = BASE64[n & 63]!
    at += 4
  }
  const left = end - i
  if (left === 0) return at
  const n = (src[i]! << 16) | (left === 2 ? src[i + 1]! << 8 : 0)
  out[at] = BASE64[n >>> 18]!
  out[at + 1] = BASE64[(n >>> 12) & 63]!
  out[at + 2] = left === 2 ? BASE64[(n >>> 6) & 63]! : EQUALS
  out[at + 3] = EQUALS
  return at + 4
}

/** `length` bytes of `src` from `from` as lower-case hex into `out` at `at`; returns where it ends. */
export function writeHex (src: Buffer, from: number, length: number, out: Buffer, at: number): number {
  for (let i = from, end = from + length; i < end; i++) {
    const b = src[i]!
    out[at++] = HEX[b >>> 4]!
    out[at++] = HEX[b & 15]!
  }
  return at
}
