// Turns one raw line into a record: key and value are spans of the bytes the line was read into,
// never copies, and no text decoding happens. A line that cannot become a record yields the
// reason it is skipped.

import { ConfigError } from '../errors.ts'
import { LineRecord, NullValueLineRecord, type InputRecord } from '../record.ts'
import type { Chunk } from './chunk-pool.ts'

/** How lines become records; fully resolved by the configuration. */
export interface ParseOptions {
  /** Split at the first occurrence into key and value; null: no key, the whole line is the value. */
  readonly keySeparator: Buffer | null
  /** With a separator, a line that lacks it is skipped or sent whole with a null key. */
  readonly missingKey: 'skip' | 'null-key'
  readonly emptyLines: 'send' | 'skip'
  /** -Z: an empty value is sent as null (a tombstone), as kcat -Z. */
  readonly nullEmpty?: boolean
}

export class LineParser {
  readonly #separator: Buffer | null
  // A one-byte separator is searched as a number: Buffer.indexOf is fastest that way.
  readonly #separatorByte: number
  readonly #nullKeyWhenMissing: boolean
  readonly #skipEmpty: boolean
  readonly #nullEmpty: boolean
  readonly #shown: string

  constructor (options: ParseOptions) {
    const sep = options.keySeparator
    this.#separator = sep
    this.#separatorByte = sep !== null && sep.length === 1 ? sep[0] as number : -1
    this.#nullKeyWhenMissing = options.missingKey === 'null-key'
    this.#skipEmpty = options.emptyLines === 'skip'
    this.#nullEmpty = options.nullEmpty === true
    this.#shown = sep === null ? '' : showSeparator(sep)
  }

  /** The record for the line at bytes[start, end), or the reason it is skipped. `chunk`: the pooled chunk of `bytes`, if any. */
  parse (bytes: Buffer, start: number, end: number, lineNo: number, readAt: number, chunk: Chunk | null = null): InputRecord | string {
    if (start === end && this.#skipEmpty) return `line ${lineNo} is empty (--empty-lines skip)`
    const sep = this.#separator
    if (this.#nullEmpty) return this.#withNulls(bytes, start, end, lineNo, readAt, chunk)
    if (sep === null) return new LineRecord(bytes, start, -1, start, end, lineNo, readAt, chunk)
    // Searched in a view of the line, so a line without the separator never scans the lines after it.
    const line = bytes.subarray(start, end)
    const found = this.#separatorByte >= 0 ? line.indexOf(this.#separatorByte) : line.indexOf(sep)
    const at = found === -1 ? -1 : start + found
    if (at === -1) {
      if (!this.#nullKeyWhenMissing) return `line ${lineNo} has no key separator ${this.#shown}`
      return new LineRecord(bytes, start, -1, start, end, lineNo, readAt, chunk)
    }
    return new LineRecord(bytes, start, at, at + sep.length, end, lineNo, readAt, chunk)
  }

  // -Z: the same record, a NullValueLineRecord when its value is empty. Kept apart so the plain path stays as it was.
  #withNulls (bytes: Buffer, start: number, end: number, lineNo: number, readAt: number, chunk: Chunk | null): InputRecord | string {
    const sep = this.#separator
    let keyEnd = -1
    let valueStart = start
    if (sep !== null) {
      const found = bytes.subarray(start, end).indexOf(sep)
      if (found === -1 && !this.#nullKeyWhenMissing) return `line ${lineNo} has no key separator ${this.#shown}`
      if (found !== -1) {
        keyEnd = start + found
        valueStart = keyEnd + sep.length
      }
    }
    const Make = valueStart === end ? NullValueLineRecord : LineRecord
    return new Make(bytes, start, keyEnd, valueStart, end, lineNo, readAt, chunk)
  }
}

const NEVER_MATCHES = 'a newline can never occur inside a line'
const ALLOWED = 'allowed are any characters except a newline, and the escapes \\t (tab), \\\\ (backslash), \\0 (NUL) and \\xHH (one byte in hex)'

/**
 * The --key-separator flag text as bytes; throws a ConfigError naming the flag and what is allowed.
 * For --delimiter (a record delimiter) \n is allowed too.
 */
export function parseKeySeparator (spec: string, flag: '--key-separator' | '--delimiter' = '--key-separator'): Buffer {
  const delimiter = flag === '--delimiter'
  const invalidSeparator = (text: string, problem: string): ConfigError => invalid(flag, text, problem, delimiter)
  if (spec === '') throw invalidSeparator(spec, 'it is empty')
  const parts: Buffer[] = []
  let literal = ''
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i] as string
    if (c !== '\\') { literal += c; continue }
    const next = spec[++i]
    let byte: number
    if (next === 't') byte = 9
    else if (next === '0') byte = 0
    else if (next === '\\') byte = 92
    else if (next === 'x') {
      const hex = spec.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalidSeparator(spec, `\\x needs two hex digits, got '\\x${hex}'`)
      byte = parseInt(hex, 16)
      i += 2
    } else if (next === 'n') throw invalidSeparator(spec, NEVER_MATCHES)
    else if (next === undefined) throw invalidSeparator(spec, 'it ends with a lone \\ (write \\\\ for a backslash)')
    else throw invalidSeparator(spec, `unknown escape \\${next}`)
    parts.push(Buffer.from(literal, 'utf8'), Buffer.of(byte))
    literal = ''
  }
  parts.push(Buffer.from(literal, 'utf8'))
  const sep = Buffer.concat(parts)
  if (!delimiter && sep.includes(10)) throw invalidSeparator(spec, NEVER_MATCHES)
  return sep
}

function invalid (flag: string, spec: string, problem: string, delimiter: boolean): ConfigError {
  const allowed = delimiter ? ALLOWED.replace('except a newline, and the escapes', 'and the escapes \\n (LF), \\r (CR),') : ALLOWED
  return new ConfigError([`${flag} ${showText(spec)} is not valid: ${problem}; ${allowed}`])
}

/** A separator as the flag would spell it, quoted: printable ASCII as is, other bytes escaped. */
export function showSeparator (sep: Buffer): string {
  let out = ''
  for (const byte of sep) out += escapeByte(byte)
  return `'${out}'`
}

function escapeByte (byte: number): string {
  if (byte === 9) return '\\t'
  if (byte === 0) return '\\0'
  if (byte === 92) return '\\\\'
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte)
  return `\\x${byte.toString(16).padStart(2, '0')}`
}

// The flag value, quoted, with control characters made visible.
function showText (text: string): string {
  let out = ''
  for (const c of text) {
    const code = c.codePointAt(0) as number
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c
  }
  return `'${out}'`
}
