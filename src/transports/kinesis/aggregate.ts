// KPL aggregated records (--aggregate): many user records packed into one Kinesis record, in the
// format the KPL writes and the KCL, AWS Lambda and aws-kinesis-agg de-aggregate: the magic
// F3 89 9A C2, a protobuf AggregatedRecord (partition_key_table = 1, explicit_hash_key_table = 2,
// records = 3, each Record holding partition_key_index = 1, explicit_hash_key_index = 2, data = 3),
// then the MD5 of that protobuf. Written straight from the lines' bytes in two passes (sizes, then
// bytes into one Buffer); no protobuf library: the message has three fields (bench/README.md
// compares it with aws-kinesis-agg's encoder).

import { createHash } from 'node:crypto'
import { copyValue, recordValueBytes, type InputRecord } from '../../record.ts'
import { varintBytes, writeVarint } from '../../util/varint.ts'

export const AGGREGATE_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2])
const DIGEST_BYTES = 16
/** Magic and digest: the bytes of an aggregate outside its protobuf. */
export const AGGREGATE_FRAME_BYTES = AGGREGATE_MAGIC.length + DIGEST_BYTES
/**
 * Most bytes a user record adds besides its data and its key-table entry: the Record field's tag
 * and length (1 + 3), the two indexes (2 × (1 + 3)) and the data's tag and length (1 + 4).
 */
export const USER_RECORD_OVERHEAD = 17
/** What a key-table entry adds besides the key: its tag and length (1 + 2). */
export const KEY_ENTRY_OVERHEAD = 3

const TAG_PK_TABLE = 0x0a
const TAG_EHK_TABLE = 0x12
const TAG_RECORD = 0x1a
const TAG_PK_INDEX = 0x08
const TAG_EHK_INDEX = 0x10
const TAG_DATA = 0x1a

/** One aggregated Kinesis record: records [from, from + count) of the input. */
export interface Aggregate {
  readonly data: Buffer
  readonly count: number
  /** The partition key the aggregate is sent with: its first user record's. */
  readonly partitionKey: Buffer
  /** Its first user record's explicit hash key, when user records have them. */
  readonly explicitHashKey: Buffer | null
}

/**
 * Packs records[from], records[from + 1], ... into one aggregate whose data plus partition key stay
 * within maxBytes; at least one record (the caller has checked that a lone record fits).
 * `keyOf(i)` is record i's partition key as UTF-8 bytes: return the same Buffer for records that
 * share a key, and the table holds it once. `hashKeyOf(i)`, when given, its explicit hash key.
 */
export function aggregate (records: readonly InputRecord[], from: number, maxBytes: number,
  keyOf: (i: number) => Buffer, hashKeyOf: ((i: number) => Buffer) | null): Aggregate {
  const pkIndexes: number[] = []
  const ehkIndexes: number[] = []
  const pkTable: Buffer[] = []
  const ehkTable: Buffer[] = []
  const pkSeen = new Map<string, number>()
  const ehkSeen = new Map<string, number>()
  let lastKey: Buffer | null = null
  let lastIndex = -1
  const first = keyOf(from)
  let body = 0
  let end = from
  for (let i = from; i < records.length; i++) {
    const key = keyOf(i)
    let added = 0
    let pk: number
    if (key === lastKey) {
      pk = lastIndex
    } else {
      const text = key.toString('latin1')
      const seen = pkSeen.get(text)
      if (seen === undefined) {
        pk = pkTable.length
        added += 1 + varintBytes(key.length) + key.length
      } else {
        pk = seen
      }
    }
    let ehk = -1
    let ehkText: string | null = null
    let ehkKey: Buffer | null = null
    if (hashKeyOf !== null) {
      ehkKey = hashKeyOf(i)
      ehkText = ehkKey.toString('latin1')
      const seen = ehkSeen.get(ehkText)
      if (seen === undefined) {
        ehk = ehkTable.length
        added += 1 + varintBytes(ehkKey.length) + ehkKey.length
      } else {
        ehk = seen
      }
    }
    const length = recordValueBytes(records[i] as InputRecord)
    const inner = 1 + varintBytes(pk) + (ehk < 0 ? 0 : 1 + varintBytes(ehk)) + 1 + varintBytes(length) + length
    added += 1 + varintBytes(inner) + inner
    if (i > from && AGGREGATE_FRAME_BYTES + body + added + first.length > maxBytes) break
    body += added
    end = i + 1
    if (pk === pkTable.length) {
      pkTable.push(key)
      pkSeen.set(key.toString('latin1'), pk)
    }
    lastKey = key
    lastIndex = pk
    pkIndexes.push(pk)
    if (ehkKey !== null) {
      if (ehk === ehkTable.length) {
        ehkTable.push(ehkKey)
        ehkSeen.set(ehkText as string, ehk)
      }
      ehkIndexes.push(ehk)
    }
  }
  const data = Buffer.allocUnsafe(AGGREGATE_FRAME_BYTES + body)
  AGGREGATE_MAGIC.copy(data, 0)
  let at = AGGREGATE_MAGIC.length
  for (const key of pkTable) at = writeBytesField(data, at, TAG_PK_TABLE, key)
  for (const key of ehkTable) at = writeBytesField(data, at, TAG_EHK_TABLE, key)
  for (let i = from; i < end; i++) {
    const record = records[i] as InputRecord
    const pk = pkIndexes[i - from] as number
    const ehk = hashKeyOf === null ? -1 : ehkIndexes[i - from] as number
    const length = recordValueBytes(record)
    const inner = 1 + varintBytes(pk) + (ehk < 0 ? 0 : 1 + varintBytes(ehk)) + 1 + varintBytes(length) + length
    data[at++] = TAG_RECORD
    at = writeVarint(data, at, inner)
    data[at++] = TAG_PK_INDEX
    at = writeVarint(data, at, pk)
    if (ehk >= 0) {
      data[at++] = TAG_EHK_INDEX
      at = writeVarint(data, at, ehk)
    }
    data[at++] = TAG_DATA
    at = writeVarint(data, at, length)
    at += copyValue(record, data, at)
  }
  createHash('md5').update(data.subarray(AGGREGATE_MAGIC.length, at)).digest().copy(data, at)
  return { data, count: end - from, partitionKey: first, explicitHashKey: hashKeyOf === null ? null : hashKeyOf(from) }
}

function writeBytesField (data: Buffer, at: number, tag: number, bytes: Buffer): number {
  data[at++] = tag
  at = writeVarint(data, at, bytes.length)
  return at + bytes.copy(data, at)
}
