// The fault suite's checker must be able to fail: each kind of lie it looks for is planted here.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { attribute, checkFailedOutput, checkRun, faultLine, partitionOfLine } from '../../helpers/jepsen.ts'
import type { ConsumedRecord } from '../../helpers/kafka.ts'

const PARTITIONS = 3
const N = 60

/** One batch line per partition covering lines 1..N, with the outcome `outcomeOf(partition)`. */
function run (outcomeOf: (p: number) => string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = []
  const counts = { read: N, delivered: 0, failed: 0, unknown: 0, skipped: 0, unsent: 0 } as Record<string, number>
  for (let p = 0; p < PARTITIONS; p++) {
    const members = Array.from({ length: N }, (_, i) => i + 1).filter((n) => partitionOfLine(n, PARTITIONS) === p)
    const o = outcomeOf(p)
    const outcomes = { delivered: 0, failed: 0, unknown: 0, skipped: 0, unsent: 0, [o]: members.length }
    counts[o]! += members.length
    lines.push({ type: 'batch', partition: p, records: members.length, firstLine: members[0], lastLine: members[members.length - 1], counts: outcomes })
  }
  lines.push({ type: 'summary', counts, invariantHolds: true })
  return lines
}

/** What the broker holds: lines `ns` in this order, each in its partition. */
function broker (ns: number[]): ConsumedRecord[] {
  const next = [0, 0, 0]
  return ns.map((n) => {
    const partition = partitionOfLine(n, PARTITIONS)
    return { partition, offset: String(next[partition]!++), key: Buffer.from(`k${n % 60}`), value: Buffer.from(String(n)) }
  })
}

const all = Array.from({ length: N }, (_, i) => i + 1)

test('checkRun passes a clean run, and counts duplicates', () => {
  const v = checkRun(N, PARTITIONS, run(() => 'delivered'), broker([...all, 5, 6]))
  assert.deepEqual([v.lost, v.lied, v.duplicated, v.orderViolations, v.unattributable, v.summaryAddsUp], [0, 0, 2, 0, 0, true])
})

test('checkRun finds a delivered line missing, a failed line present, and lines out of order', () => {
  const failedPartition = partitionOfLine(7, PARTITIONS)
  const lines = run((p) => p === failedPartition ? 'failed' : 'delivered')
  const present = all.filter((n) => partitionOfLine(n, PARTITIONS) !== failedPartition && n !== 1)
  const withLie = [...present, 7]
  const v = checkRun(N, PARTITIONS, lines, broker(withLie))
  assert.equal(v.lost, 1)
  assert.equal(v.lied, 1)
  const swapped = [...present].reverse()
  assert.ok(checkRun(N, PARTITIONS, lines, broker(swapped)).orderViolations > 0)
})

test('checkRun finds a summary that does not add up, and a batch it cannot attribute', () => {
  const lines = run(() => 'delivered')
  const summary = lines[lines.length - 1] as { counts: Record<string, number> }
  summary.counts.read = N + 1
  assert.equal(checkRun(N, PARTITIONS, lines, broker(all)).summaryAddsUp, false)
  const odd = run(() => 'delivered')
  ;(odd[0] as { records: number }).records += 1
  assert.equal(checkRun(N, PARTITIONS, odd, broker(all)).unattributable, 1)
})

test('checkFailedOutput passes exactly the lines not delivered, and catches each way of being wrong', () => {
  // Partition 0 delivered, the others failed; lines N+1.. were never read (unsent, in no batch).
  const lines = run((p) => (p === 0 ? 'delivered' : 'failed'))
  const a = attribute(N, PARTITIONS, lines)
  const notDelivered = all.filter((n) => partitionOfLine(n, PARTITIONS) !== 0)
  const file = (ns: number[]): string => ns.map((n) => faultLine(n) + '\n').join('')
  assert.deepEqual(checkFailedOutput(N, a, file(notDelivered)), [])
  assert.equal(checkFailedOutput(N, a, file(notDelivered.slice(1))).length, 1, 'a missing line')
  assert.equal(checkFailedOutput(N, a, file([...notDelivered, notDelivered[0]!])).length, 1, 'a line twice')
  const delivered = all.find((n) => partitionOfLine(n, PARTITIONS) === 0)!
  assert.equal(checkFailedOutput(N, a, file([...notDelivered, delivered])).length, 1, 'a delivered line')
  assert.ok(checkFailedOutput(N - 1, a, file(notDelivered)).length > 0, 'a line never read')
  assert.ok(checkFailedOutput(N, a, file(notDelivered).slice(0, -1)).includes('the file does not end with a newline'))
})
