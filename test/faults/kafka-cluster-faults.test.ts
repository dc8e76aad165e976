// Broker faults on a private three-node cluster (RF 3, min.insync.replicas 2), for both Kafka
// clients: the leader killed (left down, or restarted), a clean bounce of every broker, the
// leader frozen (SIGSTOP) past --request-timeout, the whole cluster down for less than
// --delivery-timeout, the ISR below min.insync.replicas, the topic deleted mid-run. Each case is
// checked by the Jepsen-style checker against kcat (test/helpers/jepsen.ts) and adds a row to the
// fault table. The longest tests of the project: run by `npm run test:faults`.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { assertNoLossNoLie, faultTable, runFaultCase, sleep, type CaseResult, type FaultCase } from '../helpers/fault-case.ts'
import { nodePid, privateKafka, waitSettled, type Cluster, leaderOf as leaderOfIn } from '../helpers/kafka.ts'

const SUITE = 'cluster'
const NODES = 3
const PARTITIONS = 3
const SLOW = { timeout: 300_000 }

let kafka: Cluster
before(async () => { kafka = await privateKafka(NODES) })
after(async () => {
  await kafka?.down()
  process.stderr.write(`\ncluster fault table:\n${faultTable()}\n`)
})

/** The node id leading `partition` of `topic`. */
const leaderOf = (topic: string, partition: number): Promise<number> => leaderOfIn(kafka.bootstrap, topic, partition)

type Client = 'wire' | 'kafkajs'

/** Exit 0: every line delivered, for outages that end well inside --delivery-timeout. */
function expectAllDelivered (r: CaseResult): void {
  assert.equal(r.run.code, 0, `${JSON.stringify(r.run.summary.counts)} ${r.run.stderr.slice(-1000)}`)
}

async function clusterCase (client: Client, name: string, fault: (topic: string) => Promise<void>, extra: Partial<FaultCase> & { minIsr?: number } = {}): Promise<ReturnType<typeof runFaultCase>> {
  const topic = await kafka.topic({ partitions: PARTITIONS, replicationFactor: NODES, config: { 'min.insync.replicas': String(extra.minIsr ?? 2) } })
  return await runFaultCase({
    suite: SUITE,
    name,
    client,
    bootstrap: kafka.bootstrap,
    topic,
    partitions: PARTITIONS,
    lines: 20_000,
    faultAfter: 5_000,
    fault: () => fault(topic),
    // Every case leaves the cluster whole for the next one, and is read back once what a reader
    // sees is final (a leader just back serves records only up to its recovered high watermark).
    heal: async () => {
      await kafka.startAll(NODES)
      if (extra.readBack !== false) await waitSettled(kafka.bootstrap, topic)
    },
    timeoutMs: 240_000,
    ...extra
  })
}

for (const client of ['wire', 'kafkajs'] as const) {
  test(`${client}: the leader killed (kill -9) and left down: no loss, no lie`, SLOW, async () => {
    const r = await clusterCase(client, 'leader kill -9, left down', async (topic) => {
      await kafka.killNode(await leaderOf(topic, 0))
    })
    assertNoLossNoLie(r)
    assert.equal(r.run.code, 0, r.run.stderr)
  })

  test(`${client}: the leader killed (kill -9) and restarted: no loss, no lie`, SLOW, async () => {
    const r = await clusterCase(client, 'leader kill -9, restarted', async (topic) => {
      const leader = await leaderOf(topic, 0)
      await kafka.killNode(leader)
      await sleep(3000)
      await kafka.startNode(leader)
    })
    assertNoLossNoLie(r)
    assert.equal(r.run.code, 0, r.run.stderr)
  })

  test(`${client}: a clean bounce of each broker in turn: no loss, no lie`, SLOW, async () => {
    const r = await clusterCase(client, 'clean bounce of each broker', async () => {
      for (let node = 1; node <= NODES; node++) {
        await kafka.stopNode(node)
        await kafka.startNode(node)
      }
    }, { lines: 30_000 })
    assertNoLossNoLie(r)
    assert.equal(r.run.code, 0, r.run.stderr)
  })

  test(`${client}: the leader frozen (SIGSTOP) for 12 s, past --request-timeout: no loss, no lie`, SLOW, async () => {
    let frozen = 0
    const r = await clusterCase(client, 'leader SIGSTOP 12 s', async (topic) => {
      frozen = nodePid(kafka, await leaderOf(topic, 0))
      process.kill(frozen, 'SIGSTOP')
      await sleep(12_000)
      process.kill(frozen, 'SIGCONT')
      frozen = 0
    })
    if (frozen !== 0) process.kill(frozen, 'SIGCONT')
    assertNoLossNoLie(r)
    assert.equal(r.run.code, 0, r.run.stderr)
  })

  test(`${client}: the whole cluster down (kill -9) for less than --delivery-timeout: no loss, no lie`, SLOW, async () => {
    // Restarting three nodes on a loaded 2-core machine takes up to a minute: the default 120 s deadline.
    const r = await clusterCase(client, 'whole cluster down < delivery timeout', async () => {
      for (let node = 1; node <= NODES; node++) await kafka.killNode(node)
      await sleep(3000)
      await kafka.startAll(NODES)
    }, { args: ['--delivery-timeout', '120000'] })
    assertNoLossNoLie(r)
    // Every line delivered since retries last until --delivery-timeout (no attempt count by default).
    expectAllDelivered(r)
  })

  test(`${client}: the whole cluster down (kill -9) for longer than --delivery-timeout: failed or unknown as the broker says, exit 4 within the deadline`, SLOW, async () => {
    // The cluster stays down until kprod has exited (heal restarts it to read the topic back):
    // lines read before the kill are delivered, those in flight at it are unknown, the rest fail
    // once --delivery-timeout has passed, and which is which the checker holds against kcat.
    const deadline = 5000
    const r = await clusterCase(client, 'whole cluster down > delivery timeout', async () => {
      for (let node = 1; node <= NODES; node++) await kafka.killNode(node)
      // Input goes on into the dead cluster for a while, then ends: time to exit counts from there.
      await sleep(2000)
    }, { args: ['--delivery-timeout', String(deadline), '--buffer-records', '100000'] })
    assertNoLossNoLie(r)
    assert.equal(r.run.code, 4, r.run.stderr.slice(-2000))
    const c = r.run.summary.counts as Record<string, number>
    assert.ok(c.delivered! > 0 && c.failed! + c.unknown! > 0, JSON.stringify(c))
    assert.equal(c.unsent, 0, JSON.stringify(c))
    assert.ok(r.exitMs < deadline + 5000, `exit took ${r.exitMs} ms after the end of input; --delivery-timeout is ${deadline}`)
  })

  test(`${client}: the ISR below min.insync.replicas for a while (NOT_ENOUGH_REPLICAS), then back: no loss, no lie`, SLOW, async () => {
    // min.insync.replicas 3 with one of three nodes stopped: the quorum stays, the ISR is short.
    const r = await clusterCase(client, 'ISR below min.insync.replicas', async (topic) => {
      const leader = await leaderOf(topic, 0)
      const follower = leader === NODES ? 1 : leader + 1
      await kafka.stopNode(follower)
      await sleep(6000)
      await kafka.startNode(follower)
    }, { minIsr: 3, args: ['--delivery-timeout', '120000'] })
    assertNoLossNoLie(r)
    expectAllDelivered(r)
  })

  test(`${client}: the topic deleted mid-run: the run ends within --delivery-timeout, exit 4, the accounting holds`, SLOW, async () => {
    const r = await clusterCase(client, 'topic deleted mid-run', async (topic) => {
      await kafka.deleteTopic(topic)
      // Deleting takes a JVM start and the controller's work: seconds on a loaded machine. Input
      // goes on for 15 s after the fault starts, so the deletion lands while lines still flow.
      // A buffer that holds the whole input: reading never waits for failing batches, so every
      // batch is cut soon after its line is written and the exit bound below counts from there.
    }, { readBack: false, lines: 80_000, args: ['--delivery-timeout', '10000', '--buffer-records', '100000'] })
    assertNoLossNoLie(r)
    assert.equal(r.run.code, 4, r.run.stderr)
    const c = r.run.summary.counts as Record<string, number>
    assert.ok(c.failed! + c.unknown! > 0, JSON.stringify(c))
    assert.ok(r.exitMs < 10_000 + 5000, `exit took ${r.exitMs} ms after the end of input; --delivery-timeout is 10000`)
  })
}
