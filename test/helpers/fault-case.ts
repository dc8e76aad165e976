// Runs one fault case: kprod reads numbered, keyed lines from a paced pipe while a fault is
// injected, then the checker (jepsen.ts) compares its report with what kcat reads back. Each
// case adds a row to a table (lost, lied, duplicated, time to exit) printed at the end and kept
// in .local/fault-table-<suite>.md, from which the README's reliability table is copied.

import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { kprod, type CliRun } from './cli.ts'
import { checkRun, faultLine, type Verdict } from './jepsen.ts'
import { ROOT, consumeAll } from './kafka.ts'

/**
 * Duplicates must be zero in every run the summary calls idempotent (the wire client's default):
 * a retried batch keeps its producer id, epoch and sequence, so the broker writes it once.
 * Other runs (kafkajs, --no-idempotent) count and report them.
 */
export const mustHaveNoDuplicates = (r: CaseResult): boolean => r.run.summary.idempotent === true

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export interface FaultContext {
  readonly child: ChildProcess
  /** Time to exit is measured from the last call (default: from the end of input). */
  markExitClock (): void
}

export interface FaultCase {
  readonly suite: string
  readonly name: string
  readonly client: 'wire' | 'kafkajs'
  readonly bootstrap: string
  readonly topic: string
  readonly partitions: number
  /** Lines written, 100 every 20 ms (5,000 lines/s), unless the run ends first. */
  readonly lines: number
  /**
   * The fault starts once this many lines are written and kprod has reported its first batch (on
   * a loaded machine it may still be starting after seconds, and a fault then hits its start
   * instead of a running producer); writing goes on meanwhile.
   */
  readonly faultAfter: number
  readonly fault: (ctx: FaultContext) => Promise<void>
  readonly args?: readonly string[]
  /** Runs after kprod exited, before the topic is read back (heal what the fault left broken). */
  readonly heal?: () => Promise<void>
  /** Read the topic back (false when the fault deleted it). */
  readonly readBack?: boolean
  readonly timeoutMs?: number
}

export interface CaseResult {
  readonly run: CliRun
  readonly verdict: Verdict | null
  readonly exitMs: number
  readonly written: number
}

const rows: string[] = []

/** The options every case shares: short timeouts so faults show within a CI budget. */
export const FAULT_ARGS = ['--no-progress', '--key-separator', '\\t', '--linger', '5', '--batch-records', '200',
  '--request-timeout', '3000', '--retry-backoff', '100', '--retry-backoff-max', '1000', '--attempts', '1000',
  '--delivery-timeout', '60000', '--stats-interval', '0']

export async function runFaultCase (c: FaultCase): Promise<CaseResult> {
  const input = new PassThrough()
  let child: ChildProcess | null = null
  let exitClock = 0
  let written = 0
  const state = { closed: false }
  const running = kprod(['--brokers', c.bootstrap, '--topic', c.topic, '--kafka-client', c.client, ...FAULT_ARGS, ...(c.args ?? [])], {
    input,
    timeoutMs: c.timeoutMs ?? 180_000,
    onSpawn: (ch) => { child = ch; ch.on('close', () => { state.closed = true }) }
  })
  let sawBatch = false
  let tail = ''
  ;(child as unknown as ChildProcess).stdout?.on('data', (chunk: Buffer) => {
    const text = tail + chunk.toString('latin1')
    if (text.includes('{"type":"batch"')) sawBatch = true
    tail = text.slice(-16)
  })
  const ctx = (): FaultContext => ({ child: child as unknown as ChildProcess, markExitClock: () => { exitClock = Date.now() } })
  let faultDone: Promise<void> = Promise.resolve()
  let faultStarted = false
  while (written < c.lines && !state.closed) {
    let text = ''
    for (let i = 0; i < 100 && written < c.lines; i++) text += faultLine(++written) + '\n'
    input.write(text)
    if (!faultStarted && written >= c.faultAfter && sawBatch) {
      faultStarted = true
      faultDone = c.fault(ctx())
    }
    await sleep(20)
  }
  if (!faultStarted) faultDone = c.fault(ctx())
  await faultDone
  if (exitClock === 0) exitClock = Date.now()
  input.end()
  const run = await running
  const exitMs = Date.now() - exitClock
  await c.heal?.()
  const verdict = c.readBack === false ? null : checkRun(written, c.partitions, run.lines, await consumeAll(c.bootstrap, c.topic))
  addRow(c, run, verdict, exitMs)
  return { run, verdict, exitMs, written }
}

function addRow (c: FaultCase, run: CliRun, v: Verdict | null, exitMs: number): void {
  const k = run.summary.counts as Record<string, number> | undefined
  const cells = [c.name, c.client, String(run.code ?? run.signal), String(k?.read ?? '-'), String(k?.delivered ?? '-'), String(k?.failed ?? '-'),
    String(k?.unknown ?? '-'), String(k?.unsent ?? '-'),
    v === null ? 'n/a' : String(v.lost), v === null ? 'n/a' : String(v.lied), v === null ? 'n/a' : String(v.duplicated),
    v === null ? 'n/a' : `${v.unknownOnBroker}/${v.unknownMissing}`, v === null ? 'n/a' : String(v.orderViolations), (exitMs / 1000).toFixed(1)]
  rows.push(`| ${cells.join(' | ')} |`)
  const header = '| case | client | exit | read | delivered | failed | unknown | unsent | lost | lied | duplicated | unknown on broker/not | order violations | time to exit (s) |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'
  mkdirSync(join(ROOT, '.local'), { recursive: true })
  writeFileSync(join(ROOT, '.local', `fault-table-${c.suite}.md`), [header, ...rows].join('\n') + '\n')
}

/** The table so far, for the test output. */
export function faultTable (): string {
  return rows.join('\n')
}

/**
 * What must hold after every fault: nothing reported delivered is missing, nothing reported
 * failed, skipped or unsent (or never read) is on the broker, the summary adds up, per-partition
 * order holds; duplicates are zero when the run was idempotent.
 */
export function assertNoLossNoLie (r: CaseResult): void {
  const v = r.verdict
  const c = r.run.summary.counts as Record<string, number>
  assert.equal(r.run.summary.invariantHolds, true, `the accounting invariant: ${JSON.stringify(c)}; stderr: ${r.run.stderr.slice(-2000)}`)
  if (v === null) return
  const detail = `${JSON.stringify({ ...v, counts: undefined })}; exit ${r.run.code}; stderr: ${r.run.stderr.slice(-1500)}`
  assert.equal(v.lost, 0, `lines reported delivered are missing: ${detail}`)
  assert.equal(v.lied, 0, `lines reported not written are on the broker: ${detail}`)
  assert.equal(v.unattributable, 0, `batch lines the checker cannot attribute: ${detail}`)
  assert.equal(v.summaryAddsUp, true, `the summary does not add up: ${detail}`)
  assert.equal(v.orderViolations, 0, `per-partition order: ${detail}`)
  if (mustHaveNoDuplicates(r)) assert.equal(v.duplicated, 0, `duplicates in an idempotent run: ${detail}`)
}
