// One input line on its way to the target, and the five ways its journey can end.

/** The pooled memory a record's bytes live in (input/chunk-pool.ts): held while the record is. */
export interface HeldMemory {
  retain (): void
  release (): void
}

/**
 * A record read from one input line. `line` is the raw line (LF and one trailing CR removed);
 * `key` and `value` are views into it, never copies, so --failed-output can write `line` back
 * byte for byte. The parser makes LineRecords; tests may use plain objects.
 */
export interface InputRecord {
  readonly line: Buffer
  readonly key: Buffer | null
  readonly value: Buffer
  /** 1-based line number across all inputs, in reading order. */
  readonly lineNo: number
  /** Epoch milliseconds when the line was read: the record's CreateTime unless `timestamp` is set. */
  readonly readAt: number
  /** True when the value is null (a Kafka tombstone); `value` is then empty. Absent: false. */
  readonly nullValue?: boolean | undefined
  /** The record's own headers (JSON input), before any --header ones; absent: none. */
  readonly headers?: readonly RecordHeader[] | undefined
  /** Event time from the input (JSON input), epoch ms: the CreateTime sent; absent: readAt. */
  readonly timestamp?: number | undefined
  /** Partition named by the input (JSON input); absent: the partitioner chooses. */
  readonly partition?: number | undefined
}

/** A Kafka record header: a UTF-8 name and a value, which may be null. */
export interface RecordHeader {
  readonly name: string
  readonly value: Buffer | null
}

// Epoch milliseconds are beyond V8's small integers, so a readAt field would be a heap number of its
// own, one more object per line for the GC to copy. Kept as an offset from the time this module
// loaded, it is a small integer for 24 days and lives inside the record.
const READ_AT_BASE = Date.now()

/**
 * The InputRecord the parser makes: spans of the bytes the line was read into, with no Buffer
 * view per line. Views are made only when `line`, `key` or `value` is read (a failed line written
 * back, a kafkajs or Kinesis request); the Kafka wire encoder and the size checks use the spans
 * through recordValueBytes() and copyValue(), so a million lines make a million small objects,
 * not three million.
 */
export class LineRecord implements InputRecord {
  /** Holds the line at [start, end); never modified once read. */
  readonly bytes: Buffer
  readonly start: number
  /** Where the key ends (the separator starts); -1 when there is no key. */
  readonly keyEnd: number
  /** Where the value starts: `start`, or just after the separator. */
  readonly valueStart: number
  readonly end: number
  readonly lineNo: number
  /** The pooled chunk whose memory `bytes` is, held once by this record from here on; null when not pooled. */
  readonly chunk: HeldMemory | null
  readonly #readAtOffset: number

  constructor (bytes: Buffer, start: number, keyEnd: number, valueStart: number, end: number, lineNo: number, readAt: number, chunk: HeldMemory | null = null) {
    this.bytes = bytes
    this.chunk = chunk
    chunk?.retain()
    this.start = start
    this.keyEnd = keyEnd
    this.valueStart = valueStart
    this.end = end
    this.lineNo = lineNo
    this.#readAtOffset = readAt - READ_AT_BASE
  }

  get readAt (): number { return this.#readAtOffset + READ_AT_BASE }

  /** False: a tombstone from a plain line is a NullValueLineRecord. */
  get nullValue (): boolean { return false }

  get line (): Buffer { return this.bytes.subarray(this.start, this.end) }
  get key (): Buffer | null { return this.keyEnd < 0 ? null : this.bytes.subarray(this.start, this.keyEnd) }
  get value (): Buffer { return this.bytes.subarray(this.valueStart, this.end) }
}

/** A plain line whose empty value is sent as null (kcat -Z, --null-empty). */
export class NullValueLineRecord extends LineRecord {
  override get nullValue (): boolean { return true }
}

/** The CreateTime a record is sent with: its own timestamp, else the time it was read. */
export function createTime (record: InputRecord): number {
  return record instanceof LineRecord ? record.readAt : record.timestamp ?? record.readAt
}

/** The partition the input named for the record (JSON input), or undefined. */
export function recordPartition (record: InputRecord): number | undefined {
  return record instanceof LineRecord ? undefined : record.partition
}

/** Most framing bytes a header adds beside its name and value: two varint lengths. */
export const HEADER_FRAMING_BYTES = 10

/**
 * Bytes the record's own headers take in a batch (0 for a plain line): names, values and at most
 * HEADER_FRAMING_BYTES each, so a batch cut by bytes stays under the topic's limit.
 */
export function recordHeaderBytes (record: InputRecord): number {
  if (record instanceof LineRecord || record.headers === undefined) return 0
  return headersBytes(record.headers)
}

export function headersBytes (headers: readonly RecordHeader[]): number {
  let n = 0
  for (const h of headers) n += Buffer.byteLength(h.name) + (h.value?.length ?? 0) + HEADER_FRAMING_BYTES
  return n
}

/** The value's length, without making a view of a LineRecord. */
export function recordValueBytes (record: InputRecord): number {
  return record instanceof LineRecord ? record.end - record.valueStart : record.value.length
}

/** The key's length (0 for none), without making a view of a LineRecord. */
export function recordKeyBytes (record: InputRecord): number {
  if (record instanceof LineRecord) return record.keyEnd < 0 ? 0 : record.keyEnd - record.start
  return record.key === null ? 0 : record.key.length
}

/** Whether the record has a key (an empty key is a key); no view is made of a LineRecord. */
export function recordHasKey (record: InputRecord): boolean {
  return record instanceof LineRecord ? record.keyEnd >= 0 : record.key !== null
}

/** Copies the key (if any) into `target` at `at`; returns the bytes copied. */
export function copyKey (record: InputRecord, target: Buffer, at: number): number {
  if (record instanceof LineRecord) return record.keyEnd < 0 ? 0 : record.bytes.copy(target, at, record.start, record.keyEnd)
  if (record.key === null) return 0
  target.set(record.key, at)
  return record.key.length
}

/** Copies the value into `target` at `at`; returns the bytes copied. */
export function copyValue (record: InputRecord, target: Buffer, at: number): number {
  if (record instanceof LineRecord) return record.bytes.copy(target, at, record.valueStart, record.end)
  target.set(record.value, at)
  return record.value.length
}

export const OUTCOMES = ['delivered', 'failed', 'unknown', 'skipped', 'unsent'] as const
/**
 * delivered: acknowledged by the target; failed: definitely not written; unknown: may have been
 * written (timeout or lost connection after the request went out); skipped: never sent because
 * the line was too long or unparsable; unsent: never sent because kprod was interrupted.
 */
export type Outcome = typeof OUTCOMES[number]

/** Where the input came from: the file name (or '-') and its 1-based line in that file. */
export interface LineOrigin {
  readonly source: string
  readonly sourceLine: number
}
