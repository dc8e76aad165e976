// The common --format json line, {"key":"k","value":"v"} (either order, key optional, either one
// null), read without JSON.parse: the key and value become views of the line's own bytes instead
// of a decoded string and a re-encoded Buffer each. Only lines whose every byte is ASCII, whose
// strings hold no backslash and that have no other field and no whitespace qualify; anything else
// returns null and goes through JSON.parse (json-records.ts), so both paths give the same record.
// Measured in bench/README.md (issue 17) against JSON.parse alone.

const QUOTE = 0x22
const COLON = 0x3a
const COMMA = 0x2c
const OPEN = 0x7b
const CLOSE = 0x7d
const BACKSLASH = 0x5c

/** Where the fields are in the line: [start, end) of the string contents; -1: null; -2: absent. */
export interface FastSpans {
  keyStart: number
  keyEnd: number
  valueStart: number
  valueEnd: number
}

/** Fills `out` and returns true when bytes[start, end) is a plain key/value object; false otherwise. */
export function fastSpans (bytes: Buffer, start: number, end: number, out: FastSpans): boolean {
  out.keyStart = -2
  out.valueStart = -2
  if (end - start < 2 || bytes[start] !== OPEN || bytes[end - 1] !== CLOSE) return false
  let i = start + 1
  for (;;) {
    // A name: "key" or "value".
    if (bytes[i] !== QUOTE) return false
    let field: 'key' | 'value'
    if (end - i > 6 && bytes[i + 1] === 0x6b && bytes[i + 2] === 0x65 && bytes[i + 3] === 0x79 && bytes[i + 4] === QUOTE) {
      field = 'key'
      i += 5
    } else if (end - i > 8 && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x61 && bytes[i + 3] === 0x6c && bytes[i + 4] === 0x75 && bytes[i + 5] === 0x65 && bytes[i + 6] === QUOTE) {
      field = 'value'
      i += 7
    } else {
      return false
    }
    if (bytes[i++] !== COLON) return false
    if ((field === 'key' ? out.keyStart : out.valueStart) !== -2) return false // repeated: JSON.parse keeps the last
    let s: number
    let e: number
    if (bytes[i] === QUOTE) {
      s = ++i
      // Printable ASCII only: no control character (invalid JSON), no escape, no UTF-8 to validate.
      for (;;) {
        if (i >= end) return false
        const b = bytes[i] as number
        if (b === QUOTE) break
        if (b < 0x20 || b >= 0x7f || b === BACKSLASH) return false
        i++
      }
      e = i++
    } else if (end - i >= 4 && bytes[i] === 0x6e && bytes[i + 1] === 0x75 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x6c) {
      s = -1
      e = -1
      i += 4
    } else {
      return false
    }
    if (field === 'key') { out.keyStart = s; out.keyEnd = e } else { out.valueStart = s; out.valueEnd = e }
    const next = bytes[i++]
    if (next === CLOSE) return i === end && out.valueStart !== -2
    if (next !== COMMA) return false
  }
}
