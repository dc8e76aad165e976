// --format json: turns one JSON line into a record with its key, value (null: a tombstone),
// headers, event time and partition. Also reads kcat's -J envelope as is (payload, ts, a
// [name, value, ...] header array), so a topic dump can be sent back. A line that is not a JSON
// object, or has a field of the wrong type, yields the reason it is skipped.

import type { HeldMemory, InputRecord, RecordHeader } from '../record.ts'
import { fastSpans, type FastSpans } from './json-fast.ts'

/**
 * What the target takes (its router says): the reason a field is refused (the line is skipped
 * with it), or null when it is taken.
 */
export interface JsonFieldRules {
  /** A null "value" (a tombstone). */
  readonly nullValue: string | null
  /** A non-empty "headers". */
  readonly headers: string | null
  /** Whether a "partition" field is read (else ignored). */
  readonly partition: boolean
}

/** A target that takes tombstones, headers and partitions. */
export const TAKES_EVERY_FIELD: JsonFieldRules = Object.freeze({ nullValue: null, headers: null, partition: true })

const EMPTY = Buffer.alloc(0)

/**
 * A record read from a JSON line: key, value and headers are its own Buffers; `line` is a view of
 * the line's bytes, held as a LineRecord holds them (the pooled chunk is retained until the
 * record's batch is delivered, see chunk-pool.ts), instead of a copy per line.
 */
export class JsonRecord implements InputRecord {
  readonly bytes: Buffer
  readonly start: number
  readonly end: number
  readonly chunk: HeldMemory | null
  readonly key: Buffer | null
  readonly value: Buffer
  readonly nullValue: boolean
  readonly headers: readonly RecordHeader[] | undefined
  readonly timestamp: number | undefined
  readonly partition: number | undefined
  readonly lineNo: number
  readonly readAt: number

  constructor (bytes: Buffer, start: number, end: number, chunk: HeldMemory | null, fields: Fields, lineNo: number, readAt: number) {
    this.bytes = bytes
    this.start = start
    this.end = end
    this.chunk = chunk
    chunk?.retain()
    this.key = fields.key
    this.value = fields.value ?? EMPTY
    this.nullValue = fields.value === null
    this.headers = fields.headers
    this.timestamp = fields.timestamp
    this.partition = fields.partition
    this.lineNo = lineNo
    this.readAt = readAt
  }

  get line (): Buffer { return this.bytes.subarray(this.start, this.end) }
}

interface Fields {
  key: Buffer | null
  value: Buffer | null
  headers: readonly RecordHeader[] | undefined
  timestamp: number | undefined
  partition: number | undefined
}

/** A field with the wrong type or value: the message says which and what is allowed. */
class FieldError extends Error {}

export class JsonLineParser {
  readonly #rules: JsonFieldRules
  readonly #spans: FastSpans = { keyStart: -2, keyEnd: -2, valueStart: -2, valueEnd: -2 }

  constructor (rules: JsonFieldRules) {
    this.#rules = rules
  }

  /** The record for the JSON line at bytes[start, end), or why it is skipped (no location: the caller adds it). */
  parse (bytes: Buffer, start: number, end: number, lineNo: number, readAt: number, chunk: HeldMemory | null = null): InputRecord | string {
    if (start === end) return 'empty line: not a JSON object'
    const fast = this.#fast(bytes, start, end, lineNo, readAt, chunk)
    if (fast !== null) return fast
    let doc: unknown
    try {
      doc = JSON.parse(bytes.toString('utf8', start, end))
    } catch (err) {
      return `not valid JSON: ${err instanceof Error ? err.message : String(err)}`
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return `not a JSON object: the line is ${describe(doc)}`
    try {
      const fields = this.#fields(doc as Record<string, unknown>)
      return new JsonRecord(bytes, start, end, chunk, fields, lineNo, readAt)
    } catch (err) {
      if (err instanceof FieldError) return err.message
      throw err
    }
  }

  // The plain {"key","value"} line as views of its bytes (json-fast.ts); null: JSON.parse decides.
  #fast (bytes: Buffer, start: number, end: number, lineNo: number, readAt: number, chunk: HeldMemory | null): JsonRecord | null {
    const s = this.#spans
    if (!fastSpans(bytes, start, end, s)) return null
    if (s.valueStart === -1 && this.#rules.nullValue !== null) return null
    const fields: Fields = {
      key: s.keyStart < 0 ? null : bytes.subarray(s.keyStart, s.keyEnd),
      value: s.valueStart === -1 ? null : bytes.subarray(s.valueStart, s.valueEnd),
      headers: undefined,
      timestamp: undefined,
      partition: undefined
    }
    return new JsonRecord(bytes, start, end, chunk, fields, lineNo, readAt)
  }

  #fields (doc: Record<string, unknown>): Fields {
    const key = bytesField(doc, 'key', 'key_b64', null, true)
    const value = bytesField(doc, 'value', 'value_b64', 'payload', false)
    if (value === undefined) throw new FieldError('no value: give "value" (a string, or null for a tombstone), "value_b64" or kcat\'s "payload"')
    const rules = this.#rules
    if (value === null && rules.nullValue !== null) throw new FieldError(rules.nullValue)
    const headers = headersField(doc.headers)
    if (headers !== undefined && headers.length > 0 && rules.headers !== null) throw new FieldError(rules.headers)
    return {
      key: key ?? null,
      value,
      headers: headers !== undefined && headers.length > 0 ? headers : undefined,
      timestamp: timestampField(doc),
      partition: rules.partition ? partitionField(doc.partition) : undefined
    }
  }
}

// The bytes of a text field, its base64 twin or an alias (kcat's payload); undefined when none is
// given, null when the field is null.
// Runs twice per line: plain lookups, no array or closure per call (--format json's hot path).
function bytesField (doc: Record<string, unknown>, text: string, b64: string, alias: string | null, optional: boolean): Buffer | null | undefined {
  const hasText = doc[text] !== undefined
  const hasB64 = doc[b64] !== undefined
  const hasAlias = alias !== null && doc[alias] !== undefined
  if (+hasText + +hasB64 + +hasAlias > 1) {
    const given = [text, b64, alias].filter((name): name is string => name !== null && doc[name] !== undefined)
    throw new FieldError(`${given.map((n) => `"${n}"`).join(' and ')} are both given: use one`)
  }
  const name = hasText ? text : hasB64 ? b64 : hasAlias ? alias : undefined
  if (name === undefined) return optional ? null : undefined
  const v = doc[name]
  if (v === null) return null
  if (typeof v !== 'string') throw new FieldError(`"${name}" is ${describe(v)}: it must be a string${name === b64 ? ' (base64)' : ''} or null`)
  if (name !== b64) return Buffer.from(v, 'utf8')
  if (!BASE64.test(v)) throw new FieldError(`"${name}" is not base64 (A-Z, a-z, 0-9, +, / and = padding)`)
  return Buffer.from(v, 'base64')
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/

// An object {name: value} or kcat's array [name, value, name, value, ...]; values are strings or null.
function headersField (v: unknown): RecordHeader[] | undefined {
  if (v === undefined || v === null) return undefined
  const out: RecordHeader[] = []
  if (Array.isArray(v)) {
    if (v.length % 2 !== 0) throw new FieldError(`"headers" has ${v.length} items: kcat's form is [name, value, name, value, ...]`)
    for (let i = 0; i < v.length; i += 2) out.push(header(v[i], v[i + 1], `"headers"[${i + 1}]`))
    return out
  }
  if (typeof v !== 'object') throw new FieldError(`"headers" is ${describe(v)}: it must be an object {"name": "value"} or kcat's [name, value, ...] array`)
  for (const [name, value] of Object.entries(v as Record<string, unknown>)) out.push(header(name, value, `"headers"."${name}"`))
  return out
}

function header (name: unknown, value: unknown, where: string): RecordHeader {
  if (typeof name !== 'string') throw new FieldError(`a header name in "headers" is ${describe(name)}: it must be a string`)
  if (value !== null && typeof value !== 'string') throw new FieldError(`${where} is ${describe(value)}: a header value must be a string or null`)
  return { name, value: value === null ? null : Buffer.from(value, 'utf8') }
}

// "timestamp" (or kcat's "ts"): epoch milliseconds, or an RFC 3339 date-time. kcat writes -1 when
// a record has none.
function timestampField (doc: Record<string, unknown>): number | undefined {
  if (doc.timestamp !== undefined && doc.ts !== undefined) throw new FieldError('"timestamp" and "ts" are both given: use one')
  const name = doc.timestamp !== undefined ? 'timestamp' : 'ts'
  const v = doc[name]
  if (v === undefined || v === null || v === -1) return undefined
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v
    throw new FieldError(`"${name}" is ${v}: epoch milliseconds must be a whole number from 0`)
  }
  if (typeof v === 'string' && RFC3339.test(v)) {
    const ms = Date.parse(v)
    if (!Number.isNaN(ms) && ms >= 0) return ms
  }
  throw new FieldError(`"${name}" is ${describe(v)}: give epoch milliseconds or an RFC 3339 date-time like 2026-12-03T10:00:00.000Z`)
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/

function partitionField (v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v
  throw new FieldError(`"partition" is ${describe(v)}: it must be a whole number from 0`)
}

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)}`
  if (typeof v === 'object') return 'an object'
  return `${typeof v === 'number' ? 'the number' : 'the ' + typeof v} ${String(v)}`
}
