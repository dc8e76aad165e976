// A Jepsen-style checker for one kprod run against Kafka: what kprod said about each line (from
// its batch lines and summary) against what an independent reader (kcat) finds on the broker.
// Lines are keyed and numbered, "k<key>\t<n>", so each value names its line and each key its
// partition; a batch's lines are those of its partition between its first and last line.

import { choosePartition } from '../../src/transports/kafka/partitioners.ts'
import type { ConsumedRecord } from './kafka.ts'

/** Distinct keys: enough to spread over every partition. */
const KEYS = 60

/** Line n (1-based) of a fault test's input. */
export function faultLine (n: number): string {
  return `k${n % KEYS}\t${n}`
}

/** The partition kprod's default partitioner (murmur2) picks for line n. */
export function partitionOfLine (n: number, partitions: number): number {
  return choosePartition('murmur2', Buffer.from(`k${n % KEYS}`), partitions, null).partition
}

type Outcome = 'delivered' | 'failed' | 'unknown' | 'skipped' | 'unsent'

export interface Verdict {
  /** Lines reported delivered and not on the broker. */
  readonly lost: number
  /** Lines reported failed, skipped or unsent, or never read, and yet on the broker. */
  readonly lied: number
  /** Extra copies on the broker (each value counted once). */
  readonly duplicated: number
  /** Lines reported unknown: on the broker / not on it (both are allowed). */
  readonly unknownOnBroker: number
  readonly unknownMissing: number
  /** Per partition, delivered lines whose first copy comes after the first copy of a later line. */
  readonly orderViolations: number
  /** Batch lines whose records could not be attributed (mixed outcomes, or a count that does not match). */
  readonly unattributable: number
  /** read == the five outcomes, invariantHolds, and the batch lines add up to the summary's counts. */
  readonly summaryAddsUp: boolean
  readonly counts: Readonly<Record<Outcome | 'read', number>>
  /** The first few problems, for assertion messages. */
  readonly examples: readonly string[]
}

/** What kprod's batch lines say of each line 1..written (undefined: in no batch). */
export interface Attribution {
  readonly outcome: ReadonlyArray<Outcome | undefined>
  /** The batch lines' counts, summed. */
  readonly tally: Readonly<Record<Outcome, number>>
  /** Batch lines whose records could not be attributed. */
  readonly unattributable: number
}

/** Attributes every batch line of a run given lines 1..written (faultLine) to its lines. */
export function attribute (written: number, partitions: number, lines: ReadonlyArray<Record<string, unknown>>, note: (text: string) => void = () => {}): Attribution {
  const outcome = new Array<Outcome | undefined>(written + 1)
  const tally: Record<Outcome, number> = { delivered: 0, failed: 0, unknown: 0, skipped: 0, unsent: 0 }
  let unattributable = 0
  for (const b of lines.filter((l) => l.type === 'batch') as unknown as BatchLine[]) {
    for (const o of Object.keys(b.counts) as Outcome[]) tally[o] += b.counts[o]
    const kinds = (Object.keys(b.counts) as Outcome[]).filter((o) => b.counts[o] > 0)
    const members: number[] = []
    if (b.firstLine !== null && b.lastLine !== null) {
      for (let n = b.firstLine; n <= b.lastLine; n++) if (partitionOfLine(n, partitions) === b.partition) members.push(n)
    }
    if (kinds.length !== 1 || members.length !== b.records) {
      unattributable++
      note(`batch ${JSON.stringify({ partition: b.partition, records: b.records, firstLine: b.firstLine, lastLine: b.lastLine, counts: b.counts })} cannot be attributed`)
      continue
    }
    for (const n of members) outcome[n] = kinds[0]
  }
  return { outcome, tally, unattributable }
}

/**
 * Checks a --failed-output file against a run that read lines 1..read: it must hold exactly the
 * lines not reported delivered, each once. Returns the problems found (none: an empty list).
 */
export function checkFailedOutput (read: number, attribution: Attribution, text: string): string[] {
  const problems: string[] = []
  const seen = new Set<number>()
  for (const line of text.split('\n').slice(0, -1)) {
    const n = Number(line.split('\t').pop())
    if (line !== faultLine(n) || n > read) problems.push(`a line kprod never read or mangled: ${JSON.stringify(line)}`)
    else if (seen.has(n)) problems.push(`line ${n} written twice`)
    else if (attribution.outcome[n] === 'delivered') problems.push(`line ${n} reported delivered, yet in --failed-output`)
    seen.add(n)
  }
  for (let n = 1; n <= read; n++) if (attribution.outcome[n] !== 'delivered' && !seen.has(n)) problems.push(`line ${n} not delivered (${attribution.outcome[n] ?? 'unsent'}), missing from --failed-output`)
  if (!text.endsWith('\n') && text !== '') problems.push('the file does not end with a newline')
  return problems.slice(0, 8)
}

interface BatchLine {
  partition: number
  records: number
  firstLine: number | null
  lastLine: number | null
  counts: Record<Outcome, number>
}

/**
 * Checks a run that was given lines 1..written (faultLine) on a topic of `partitions` partitions.
 * `lines` are kprod's stdout JSON lines, `onBroker` what kcat read back.
 */
export function checkRun (written: number, partitions: number, lines: ReadonlyArray<Record<string, unknown>>, onBroker: readonly ConsumedRecord[]): Verdict {
  const examples: string[] = []
  const note = (text: string): void => { if (examples.length < 8) examples.push(text) }
  const summary = lines.findLast((l) => l.type === 'summary') ?? {}
  const c = (summary.counts ?? {}) as Record<Outcome | 'read', number>
  const { outcome, tally, unattributable } = attribute(written, partitions, lines, note)

  const copies = new Map<number, number>()
  const firstOffset = new Map<number, { partition: number, offset: bigint }>()
  for (const r of onBroker) {
    const n = Number(r.value.toString().split('\t').pop())
    copies.set(n, (copies.get(n) ?? 0) + 1)
    const offset = BigInt(r.offset)
    const seen = firstOffset.get(n)
    if (seen === undefined || offset < seen.offset) firstOffset.set(n, { partition: r.partition, offset })
  }

  let lost = 0
  let lied = 0
  let duplicated = 0
  let unknownOnBroker = 0
  let unknownMissing = 0
  for (const [, k] of copies) duplicated += k - 1
  for (let n = 1; n <= written; n++) {
    const on = (copies.get(n) ?? 0) > 0
    const o = outcome[n]
    if (o === 'delivered' && !on) { lost++; note(`line ${n} reported delivered, not on the broker`) }
    if (o === 'unknown') { if (on) unknownOnBroker++; else unknownMissing++ }
    if ((o === 'failed' || o === 'skipped' || o === 'unsent' || o === undefined) && on) {
      lied++
      note(`line ${n} reported ${o ?? 'nothing (not in any batch)'}, yet on the broker`)
    }
  }

  // Order: kprod has one request in flight per partition, so the first copies of delivered
  // lines appear in line order within each partition.
  let orderViolations = 0
  const byPartition = new Map<number, Array<{ n: number, offset: bigint }>>()
  for (const [n, at] of firstOffset) {
    if (outcome[n] !== 'delivered') continue
    const list = byPartition.get(at.partition) ?? []
    list.push({ n, offset: at.offset })
    byPartition.set(at.partition, list)
  }
  for (const list of byPartition.values()) {
    list.sort((a, b) => (a.offset < b.offset ? -1 : 1))
    for (let i = 1; i < list.length; i++) {
      if ((list[i] as { n: number }).n < (list[i - 1] as { n: number }).n) {
        orderViolations++
        note(`order: line ${(list[i] as { n: number }).n} after line ${(list[i - 1] as { n: number }).n} in its partition`)
      }
    }
  }

  const sum = c.delivered + c.failed + c.unknown + c.skipped + c.unsent
  const batchesMatch = tally.delivered === c.delivered && tally.failed === c.failed && tally.unknown === c.unknown
  const summaryAddsUp = summary.invariantHolds === true && c.read === sum && batchesMatch
  if (!summaryAddsUp) note(`summary does not add up: ${JSON.stringify(c)}, batch lines ${JSON.stringify(tally)}, invariantHolds ${String(summary.invariantHolds)}`)
  return { lost, lied, duplicated, unknownOnBroker, unknownMissing, orderViolations, unattributable, summaryAddsUp, counts: c, examples }
}
