// Encodes a Produce request carrying one v2 record batch for one partition, straight into one
// Buffer: the request framing, the 61-byte batch header and every record, with no intermediate
// objects per record. Layout per the Kafka protocol guide (RecordBatch, magic 2).

import { copyKey, copyValue, recordHasKey, recordKeyBytes, recordValueBytes, type InputRecord } from '../../../record.ts'
import { API, varintSize, writeVarint } from './protocol.ts'
import { crc32c } from './crc32c.ts'
import { CODECS, type Codec } from './codecs.ts'

/** Size of a v2 record batch header, before the first record. */
export const BATCH_HEADER_BYTES = 61

/** The idempotent producer's fields of a batch header (KIP-98). */
export interface ProducerStamp {
  /** Producer id as a decimal string (an int64). */
  readonly producerId: string
  readonly epoch: number
  readonly baseSequence: number
}

export interface ProduceHeader {
  readonly version: number
  readonly clientId: string
  readonly acks: number
  readonly timeoutMs: number
  readonly topic: string
  readonly partition: number
}

/** Bytes of the records section of a batch, uncompressed. */
export function recordsSize (records: readonly InputRecord[]): number {
  const base = records[0]?.readAt ?? 0
  let size = 0
  for (let i = 0; i < records.length; i++) {
    const body = recordBodySize(records[i] as InputRecord, i, base)
    size += varintSize(body) + body
  }
  return size
}

/** The records section alone (what gets compressed). */
export function encodeRecords (records: readonly InputRecord[]): Buffer {
  const buf = Buffer.allocUnsafe(recordsSize(records))
  writeRecords(buf, 0, records)
  return buf
}

/**
 * The whole framed Produce request (size prefix included) for `records`, or for an already
 * compressed records section when `compressed` is given. `alloc` supplies the memory (a pool).
 */
export function encodeProduce (h: ProduceHeader, correlationId: number, records: readonly InputRecord[], codec: Codec = 'none', compressed: Buffer | null = null,
  alloc: (size: number) => Buffer = Buffer.allocUnsafe, stamp: ProducerStamp | null = null): Buffer {
  const clientIdBytes = Buffer.byteLength(h.clientId)
  const topicBytes = Buffer.byteLength(h.topic)
  const prefix = 4 + 2 + 2 + 4 + 2 + clientIdBytes + // size and header v1
    2 + 2 + 4 + // transactional_id (null), acks, timeout_ms
    4 + 2 + topicBytes + // one topic
    4 + 4 + 4 // one partition: index, records length
  const body = compressed === null ? recordsSize(records) : compressed.length
  const batchBytes = BATCH_HEADER_BYTES + body
  const buf = alloc(prefix + batchBytes)

  let at = 0
  buf.writeInt32BE(buf.length - 4, at); at += 4
  buf.writeInt16BE(API.PRODUCE, at); at += 2
  buf.writeInt16BE(h.version, at); at += 2
  buf.writeInt32BE(correlationId, at); at += 4
  buf.writeInt16BE(clientIdBytes, at); at += 2
  at += buf.write(h.clientId, at)
  buf.writeInt16BE(-1, at); at += 2
  buf.writeInt16BE(h.acks, at); at += 2
  buf.writeInt32BE(h.timeoutMs, at); at += 4
  buf.writeInt32BE(1, at); at += 4
  buf.writeInt16BE(topicBytes, at); at += 2
  at += buf.write(h.topic, at)
  buf.writeInt32BE(1, at); at += 4
  buf.writeInt32BE(h.partition, at); at += 4
  buf.writeInt32BE(batchBytes, at); at += 4

  writeBatchHeader(buf, at, batchBytes, records, codec, stamp)
  if (compressed === null) writeRecords(buf, at + BATCH_HEADER_BYTES, records)
  else buf.set(compressed, at + BATCH_HEADER_BYTES)
  buf.writeUInt32BE(crc32c(buf, at + 21, buf.length), at + 17)
  return buf
}

function writeBatchHeader (buf: Buffer, at: number, batchBytes: number, records: readonly InputRecord[], codec: Codec, stamp: ProducerStamp | null): void {
  const n = records.length
  const base = records[0]?.readAt ?? 0
  let max = base
  for (let i = 1; i < n; i++) {
    const t = (records[i] as InputRecord).readAt
    if (t > max) max = t
  }
  buf.writeBigInt64BE(0n, at) // base offset: the broker assigns it
  buf.writeInt32BE(batchBytes - 12, at + 8) // batch length: everything after this field
  buf.writeInt32BE(-1, at + 12) // partition leader epoch
  buf.writeInt8(2, at + 16) // magic
  // at + 17: CRC-32C of attributes..end, written last
  buf.writeInt16BE(CODECS[codec], at + 21) // attributes: codec, CreateTime, not transactional
  buf.writeInt32BE(n - 1, at + 23) // last offset delta
  buf.writeBigInt64BE(BigInt(base), at + 27)
  buf.writeBigInt64BE(BigInt(max), at + 35)
  buf.writeBigInt64BE(stamp === null ? -1n : BigInt(stamp.producerId), at + 43) // producer id (-1: none)
  buf.writeInt16BE(stamp === null ? -1 : stamp.epoch, at + 51) // producer epoch
  buf.writeInt32BE(stamp === null ? -1 : stamp.baseSequence, at + 53) // base sequence
  buf.writeInt32BE(n, at + 57)
}

function recordBodySize (r: InputRecord, i: number, base: number): number {
  return bodySize(r.readAt - base, i, keyLength(r), recordValueBytes(r))
}

/** The key's length, or -1 for a null key (an empty key is a key). */
function keyLength (r: InputRecord): number {
  return recordHasKey(r) ? recordKeyBytes(r) : -1
}

function bodySize (timestampDelta: number, offsetDelta: number, keyBytes: number, valueBytes: number): number {
  return 1 + varintSize(timestampDelta) + varintSize(offsetDelta) +
    (keyBytes < 0 ? 1 : varintSize(keyBytes) + keyBytes) +
    varintSize(valueBytes) + valueBytes + 1
}

// Key and value are copied from the bytes the lines were read into: no view per record. Each
// record's lengths are read once, for its size and its fields.
function writeRecords (buf: Buffer, at: number, records: readonly InputRecord[]): number {
  const base = records[0]?.readAt ?? 0
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as InputRecord
    const delta = r.readAt - base
    const keyBytes = keyLength(r)
    const valueBytes = recordValueBytes(r)
    at = writeVarint(buf, at, bodySize(delta, i, keyBytes, valueBytes))
    buf[at++] = 0 // attributes
    at = writeVarint(buf, at, delta)
    at = writeVarint(buf, at, i)
    if (keyBytes < 0) {
      buf[at++] = 1 // varint -1: null key
    } else {
      at = writeVarint(buf, at, keyBytes)
      at += copyKey(r, buf, at)
    }
    at = writeVarint(buf, at, valueBytes)
    at += copyValue(r, buf, at)
    buf[at++] = 0 // no headers
  }
  return at
}
