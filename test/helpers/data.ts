// Test inputs and the reference line splitter the tests compare kprod against.

/** The lines kprod must produce for `input`: split at LF, one trailing CR removed, final tail kept if non-empty. */
export function referenceLines (input: Buffer): Buffer[] {
  const lines: Buffer[] = []
  let start = 0
  for (;;) {
    const nl = input.indexOf(10, start)
    if (nl === -1) break
    lines.push(stripCr(input.subarray(start, nl)))
    start = nl + 1
  }
  if (start < input.length) lines.push(stripCr(input.subarray(start)))
  return lines
}

function stripCr (line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line
}

/**
 * `count` lines mixing plain text, CRLF endings, empty lines, invalid UTF-8, NUL bytes, a lone
 * CR inside a line and a doubled CR; the last line has no LF.
 */
export function trickyInput (count: number): Buffer {
  const parts: Buffer[] = []
  for (let i = 1; i <= count; i++) {
    const last = i === count
    const eol = last ? '' : '\n'
    switch (i % 10) {
      case 1: parts.push(Buffer.from(`line ${i} crlf\r${eol}`)); break
      case 2: parts.push(Buffer.from(eol)); break // empty line (or, if last, nothing: avoid that)
      case 3: parts.push(Buffer.concat([Buffer.from(`bad utf8 ${i} `), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(eol)])); break
      case 4: parts.push(Buffer.concat([Buffer.from(`nul ${i} `), Buffer.from([0, 0, 1]), Buffer.from(eol)])); break
      case 5: parts.push(Buffer.from(`lone\rcr ${i}${eol}`)); break
      case 6: parts.push(Buffer.from(`double cr ${i}\r\r${eol}`)); break
      default: parts.push(Buffer.from(`plain line ${i} ${'x'.repeat(i % 97)}${eol}`))
    }
  }
  return Buffer.concat(parts)
}

/** Counts of each distinct byte string, for multiset comparison. */
export function multiset (values: readonly Buffer[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const v of values) {
    const k = v.toString('latin1')
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/** Differences between two multisets, at most `limit` of them, readable in a failure message. */
export function multisetDiff (expected: Map<string, number>, actual: Map<string, number>, limit = 5): string[] {
  const diffs: string[] = []
  for (const [k, n] of expected) {
    const m = actual.get(k) ?? 0
    if (m !== n && diffs.length < limit) diffs.push(`${JSON.stringify(k)}: expected ${n}, got ${m}`)
  }
  for (const [k, m] of actual) {
    if (!expected.has(k) && diffs.length < limit) diffs.push(`${JSON.stringify(k)}: not expected, got ${m}`)
  }
  return diffs
}
