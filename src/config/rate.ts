// --rate and --rate-bytes text: a number with an optional k/M/G suffix and an optional "/s"
// (5000, 5k, 5k/s, 1.5M/s). Records count in thousands (k = 1000), bytes in KiB (k = 1024), as
// --batch-bytes and --buffer-bytes do.

export interface RateSpec {
  readonly flag: string
  /** What one unit is, for messages: 'records' or 'bytes'. */
  readonly unit: string
  /** 1000 for records, 1024 for bytes. */
  readonly base: number
  readonly max: number
}

export const RATE_RECORDS: RateSpec = { flag: '--rate', unit: 'records', base: 1000, max: 1_000_000_000 }
export const RATE_BYTES: RateSpec = { flag: '--rate-bytes', unit: 'bytes', base: 1024, max: 1024 ** 4 }

const SUFFIX: Readonly<Record<string, number>> = { '': 0, k: 1, K: 1, m: 2, M: 2, g: 3, G: 3 }

/** The per-second figure, or undefined after pushing a problem that names the flag, the value and what is allowed. */
export function parseRate (spec: RateSpec, text: string, where: string, problems: string[]): number | undefined {
  const allowed = `allowed: 1..${spec.max} ${spec.unit} per second`
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*(?:\/\s*s)?\s*$/.exec(text)
  if (m === null) {
    const k = spec.base === 1000 ? 'k (1000), M or G' : 'k (1024), M (1024^2) or G (1024^3)'
    problems.push(`${where}: '${text}' is not a rate; give ${spec.unit} per second as a number with an optional ${k} and /s, e.g. 5000 or 5k/s; ${allowed}`)
    return undefined
  }
  const value = Number(m[1]) * spec.base ** (SUFFIX[m[2] ?? ''] ?? 0)
  if (!Number.isInteger(value)) {
    problems.push(`${where}: '${text}' is ${value} ${spec.unit} per second, not a whole number; ${allowed}`)
    return undefined
  }
  if (value < 1 || value > spec.max) {
    problems.push(`${where}: '${text}' is out of range; ${allowed}`)
    return undefined
  }
  return value
}
