// Network faults between kprod and a real broker, through a loopback TCP proxy the broker
// advertises: slow links, a throttled link, a link that swallows everything, connections reset
// mid-request, answers lost after the broker wrote the records, a port that never answers at
// start, and SIGINT, SIGTERM and a second signal while the broker hangs. Both Kafka clients; each
// case checked by the Jepsen-style checker (no loss, no lie, the summary adds up, order per
// partition; duplicates reported), the signal cases also against their --failed-output file.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kprod } from '../helpers/cli.ts'
import { FAULT_ARGS, assertNoLossNoLie, faultTable, runFaultCase, sleep, type FaultCase } from '../helpers/fault-case.ts'
import { attribute, checkFailedOutput } from '../helpers/jepsen.ts'
import { privateKafka, type Cluster } from '../helpers/kafka.ts'
import { startSilentPort, startTcpProxy, type TcpPlan, type TcpProxy } from '../helpers/tcp-proxy.ts'

const SUITE = 'proxy'
const PARTITIONS = 3
const SLOW = { timeout: 240_000 }

let kafka: Cluster
let proxy: TcpProxy
let bootstrap: string

before(async () => {
  proxy = await startTcpProxy()
  kafka = await privateKafka(1, [proxy.port])
  proxy.setTarget(Number(kafka.bootstrap.split(':').pop()))
  bootstrap = `127.0.0.1:${proxy.port}`
})
after(async () => {
  await kafka?.down()
  await proxy?.close()
  process.stderr.write(`\nproxy fault table:\n${faultTable()}\n`)
})

type Client = 'wire' | 'kafkajs'

async function proxyCase (client: Client, name: string, fault: FaultCase['fault'], extra: Partial<FaultCase> = {}): Promise<ReturnType<typeof runFaultCase>> {
  proxy.setPlan({ mode: 'pass' })
  const topic = await kafka.topic({ partitions: PARTITIONS })
  return await runFaultCase({
    suite: SUITE,
    name,
    client,
    bootstrap,
    topic,
    partitions: PARTITIONS,
    lines: 20_000,
    faultAfter: 5_000,
    fault,
    heal: async () => { proxy.setPlan({ mode: 'pass' }) },
    ...extra
  })
}

for (const client of ['wire', 'kafkajs'] as const) {
  test(`${client}: a link that delays every piece by 300 ms delivers everything`, SLOW, async () => {
    await linkCase(client, 'proxy delays 300 ms', { mode: 'delay', ms: 300 }, 4000)
  })

  test(`${client}: a link throttled to 32 KiB/s, slower than the input, delivers everything`, SLOW, async () => {
    const heldBefore = proxy.stats.held
    await linkCase(client, 'proxy throttles to 32 KiB/s 6 s', { mode: 'throttle', bytesPerSecond: 32 * 1024 }, 6000)
    // The fault took hold: pieces were held back for the link (the input needs about 100 KiB/s).
    assert.ok(proxy.stats.held > heldBefore, 'the throttle never held a piece back')
  })

  test(`${client}: a blackhole longer than --request-timeout, then the link back: everything delivered`, SLOW, async () => {
    await linkCase(client, 'proxy blackhole 6 s', { mode: 'blackhole' }, 6000)
  })

  test(`${client}: connections reset after 16 KiB of requests for 4 s: no loss, no lie`, SLOW, async () => {
    await linkCase(client, 'proxy resets after 16 KiB', { mode: 'reset', afterBytes: 16 * 1024 }, 4000)
  })

  test(`${client}: answers lost after the broker wrote the records: retried, duplicates counted, nothing lost`, SLOW, async () => {
    await linkCase(client, 'proxy drops responses 5 s', { mode: 'drop-responses' }, 5000)
  })

  test(`${client}: SIGINT while the broker hangs exits 130 within --drain-timeout, accounting intact`, SLOW, async () => {
    await hungSignalCase(client, 'SIGINT, broker hung', ['SIGINT'], 3000)
  })

  test(`${client}: SIGTERM while the broker hangs exits 143 within --drain-timeout, summary and --failed-output written`, SLOW, async () => {
    await hungSignalCase(client, 'SIGTERM, broker hung', ['SIGTERM'], 3000)
  })

  test(`${client}: a second SIGTERM while the broker hangs exits within a second, summary and --failed-output written`, SLOW, async () => {
    // --drain-timeout far beyond the test: only the second signal can end the run this soon.
    await hungSignalCase(client, 'second SIGTERM, broker hung', ['SIGTERM', 'SIGTERM'], 60_000)
  })

  test(`${client}: a port that accepts and never answers at start exits 3 within --connect-timeout`, SLOW, async () => {
    const silent = await startSilentPort()
    try {
      const started = Date.now()
      const run = await kprod(['--brokers', `127.0.0.1:${silent.port}`, '--topic', 't', '--kafka-client', client, ...FAULT_ARGS, '--connect-timeout', '4000'], { input: 'k1\t1\n', timeoutMs: 90_000 })
      const ms = Date.now() - started
      process.stderr.write(`silent port, ${client}: exit ${run.code} after ${ms} ms\n`)
      assert.equal(run.code, 3, run.stderr)
      assert.ok(ms < 4000 + 4000, `exit took ${ms} ms; --connect-timeout is 4000`)
      assert.equal(run.summary.type, 'summary')
    } finally {
      await silent.close()
    }
  })
}

/** The link under `plan` for `ms`, then back: every line delivered, nothing lost or lied about. */
async function linkCase (client: Client, name: string, plan: TcpPlan, ms: number): Promise<void> {
  const r = await proxyCase(client, name, async () => {
    proxy.setPlan(plan)
    await sleep(ms)
    proxy.setPlan({ mode: 'pass' })
  })
  assertNoLossNoLie(r)
  assert.equal(r.run.code, 0, r.run.stderr)
}

/**
 * Signals while the broker hangs (the proxy blackholes the link): the run must end within
 * --drain-timeout after the first signal, within a second after a second one, with its summary,
 * and with a --failed-output file that holds exactly the lines not delivered.
 */
async function hungSignalCase (client: Client, name: string, signals: ReadonlyArray<'SIGINT' | 'SIGTERM'>, drainMs: number): Promise<void> {
  const failedOutput = join(mkdtempSync(join(tmpdir(), 'kprod-faults-')), 'failed.txt')
  const r = await proxyCase(client, name, async (ctx) => {
    proxy.setPlan({ mode: 'blackhole' })
    await sleep(1000)
    for (const [i, signal] of signals.entries()) {
      if (i > 0) await sleep(1000)
      ctx.child.kill(signal)
      ctx.markExitClock()
    }
  }, { args: ['--drain-timeout', String(drainMs), '--failed-output', failedOutput] })
  assertNoLossNoLie(r)
  assert.equal(r.run.code, signals[0] === 'SIGINT' ? 130 : 143, r.run.stderr)
  assert.equal(r.run.summary.type, 'summary')
  const bound = signals.length === 1 ? drainMs + 3000 : 1000 + 1000
  assert.ok(r.exitMs < bound, `exit took ${r.exitMs} ms after the last signal; the bound is ${bound} ms`)
  const c = r.run.summary.counts as Record<string, number>
  const text = readFileSync(failedOutput, 'utf8')
  assert.deepEqual(checkFailedOutput(c.read!, attribute(r.written, PARTITIONS, r.run.lines), text), [])
  assert.equal(r.run.summary.failedOutputLines, c.read! - c.delivered!)
  assert.ok(c.read! - c.delivered! > 0, `the hang left nothing undelivered: ${JSON.stringify(c)}`)
}
