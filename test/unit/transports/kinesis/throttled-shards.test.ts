// "Throttled shards slow down without stalling the others" (issue 3), on a fake clock through the
// real pieces: BatchBuilder → AsyncProducer → KinesisTransport → a fake PutRecords client that
// answers ProvisionedThroughputExceededException for chosen records. With --shard-ordering a
// throttled batch backs off holding its own shard only: batches of the other shards keep being
// sent and acknowledged meanwhile, even with a single worker, and the next batch of the
// throttled shard waits behind the retry. Without it, the throttled records' backoff holds no
// lane and no worker: other batches use every lane, the throttled batch's own included.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ANY_PARTITION } from '../../../../src/batch/batch.ts'
import type { BatchResult } from '../../../../src/producer/result.ts'
import type { InputRecord } from '../../../../src/record.ts'
import { flushMicrotasks } from '../../../helpers/fake-clock.ts'
import { answer, evenShards, type PutCall, type PutResponder } from '../../../helpers/fake-put-records.ts'
import { kinesisPipeline } from '../../../helpers/kinesis-pipeline.ts'

const THROTTLED = ['ProvisionedThroughputExceededException', 'Rate exceeded for shard'] as const

interface Setup {
  readonly shardOrdering: boolean
  readonly workers: number
  readonly respond: PutResponder
}

async function pipeline (setup: Setup) {
  const { clock, fake, transport, router, producer, builder, results } = await kinesisPipeline({
    shardOrdering: setup.shardOrdering,
    workers: setup.workers,
    shards: evenShards(3),
    batchRecords: 2,
    minRecords: 2,
    lingerMs: 60_000,
    // Jitter 0.5 of [cap/2, cap]: 750 ms before attempt 2, 1500 ms before attempt 3.
    retryBackoffMs: 1000,
    retryBackoffMaxMs: 5000,
    respond: (call) => setup.respond(call)
  })
  let lineNo = 0
  const record = (key: string): InputRecord => {
    const value = Buffer.from(`${key} line ${++lineNo}`)
    return { line: value, key: Buffer.from(key), value, lineNo, readAt: clock.now() }
  }
  /** Where the router places a record of `key` (ANY_PARTITION without --shard-ordering). */
  const placeOf = (r: InputRecord): { partition: number, pinned: boolean } => {
    const place = router.place(r)
    assert.notEqual(typeof place, 'string', 'the router refused the record')
    return place as { partition: number, pinned: boolean }
  }
  const shardOf = (key: string): number => placeOf(record(key)).partition
  /** Adds one record per key, routed like the pipeline routes them, and lets the producer act. */
  const add = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      const r = record(key)
      const place = placeOf(r)
      builder.add(r, place.partition, place.pinned)
    }
    await flushMicrotasks()
  }
  /** The result of the batch whose records carry `key`, or undefined while it has none. */
  const resultWith = (key: string): BatchResult | undefined => results.find((r) => r.batch.records.some((x) => x.key?.toString() === key))
  return { clock, fake, transport, producer, builder, results, add, shardOf, resultWith }
}

/** Distinct keys that land on shard `shard`, found by probing (shard choice is MD5 of the key). */
function keysOn (shardOf: (key: string) => number, shard: number, count: number, prefix: string): string[] {
  const keys: string[] = []
  for (let i = 0; keys.length < count; i++) {
    if (i > 10_000) throw new Error(`no keys found for shard ${shard}`)
    if (shardOf(`${prefix}${i}`) === shard) keys.push(`${prefix}${i}`)
  }
  return keys
}

const shardId = (index: number): string => `shardId-${String(index).padStart(12, '0')}`

test('--shard-ordering: while shard A\'s batch is throttled and backing off (twice), batches of shards B and C keep being sent and acknowledged, with one worker; A\'s next batch waits behind the retry', async () => {
  let throttleA = true
  let shardOf: (key: string) => number = () => ANY_PARTITION
  const respond: PutResponder = (call: PutCall) => {
    const shard = shardOf(call.keys[0] ?? '')
    return answer(call, (_k, key) => throttleA && shardOf(key) === 0 ? THROTTLED : null, shardId(shard))
  }
  const p = await pipeline({ shardOrdering: true, workers: 1, respond })
  shardOf = p.shardOf
  const [a1, a2, a3, a4] = keysOn(p.shardOf, 0, 4, 'a')
  const b = keysOn(p.shardOf, 1, 20, 'b')
  const c = keysOn(p.shardOf, 2, 20, 'c')

  await p.add(a1 as string, a2 as string)
  assert.deepEqual(p.fake.calls.map((x) => x.keys), [[a1, a2]], 'A\'s first batch is sent and throttled')
  assert.equal(p.results.length, 0, 'A\'s batch is backing off, not final')
  await p.add(a3 as string, a4 as string)
  assert.equal(p.fake.calls.length, 1, 'A\'s next batch waits: the retry keeps shard A\'s turn')

  // 2.2 s of steady input for shards B and C while A is throttled on attempts 1 and 2 (750 ms, then 1500 ms of backoff).
  const aCallIndexes = (): number[] => p.fake.calls.filter((x) => p.shardOf(x.keys[0] ?? '') === 0).map((x) => x.index)
  for (let i = 0; i < 10; i++) {
    const before = p.fake.calls.length
    await p.add(b[2 * i] as string, b[2 * i + 1] as string, c[2 * i] as string, c[2 * i + 1] as string)
    const sent: (readonly string[])[] = p.fake.calls.slice(before).map((x) => x.keys)
    assert.deepEqual(sent, [[b[2 * i], b[2 * i + 1]], [c[2 * i], c[2 * i + 1]]], `round ${i}: B's and C's batches go out at once`)
    assert.deepEqual(p.resultWith(b[2 * i] as string)?.outcomes, ['delivered', 'delivered'], `round ${i}: B acknowledged`)
    assert.deepEqual(p.resultWith(c[2 * i] as string)?.outcomes, ['delivered', 'delivered'], `round ${i}: C acknowledged`)
    assert.equal(p.resultWith(a1 as string), undefined, `round ${i}: A still backing off`)
    await p.clock.advance(220)
  }
  // By 2.2 s, A was sent twice (at 0 and 750 ms), both throttled; its third attempt is due at 2250 ms.
  assert.equal(aCallIndexes().length, 2)
  assert.deepEqual(p.fake.calls[aCallIndexes()[1] as number]?.keys, [a1, a2], 'the retry carries the throttled batch, not the one behind it')
  throttleA = false
  await p.clock.advance(50)
  const aCalls = p.fake.calls.filter((x) => p.shardOf(x.keys[0] ?? '') === 0).map((x) => x.keys)
  assert.deepEqual(aCalls, [[a1, a2], [a1, a2], [a1, a2], [a3, a4]], 'shard A in order: the retried batch, then the one behind it')
  const a1Result = p.resultWith(a1 as string)
  const start = a1Result?.exchanges[0]?.begin ?? 0
  assert.deepEqual(a1Result?.exchanges.map((x) => [x.attempt, x.records, x.begin - start, x.error === null]), [[1, 2, 0, false], [2, 2, 750, false], [3, 2, 2250, true]])
  assert.equal(a1Result?.partition, 0)
  assert.deepEqual(p.resultWith(a3 as string)?.outcomes, ['delivered', 'delivered'])
  assert.equal(p.results.length, 22)
  assert.ok(p.results.every((r) => r.outcomes.every((o) => o === 'delivered')))
})

test('without --shard-ordering: a throttled record\'s backoff holds no lane and no worker; other batches use every lane meanwhile, its own lane included, and only the throttled record is retried', async () => {
  const held: PutCall[] = []
  const respond: PutResponder = (call: PutCall) => {
    if (call.keys.includes('hot')) return answer(call, (_k, key) => key === 'hot' && call.index === 0 ? THROTTLED : null)
    held.push(call)
    return undefined
  }
  const p = await pipeline({ shardOrdering: false, workers: 2, respond })
  await p.add('x', 'hot')
  assert.deepEqual(p.fake.calls.map((x) => x.keys), [['x', 'hot']])
  assert.equal(p.producer.inFlight, 0, 'the throttled batch backs off outside any exchange')
  assert.equal(p.resultWith('x'), undefined, 'its throttled record waits for a retry')

  // Two batches while the throttled record backs off (750 ms): both lanes in flight at once.
  await p.add('y1', 'y2', 'z1', 'z2')
  assert.deepEqual(p.fake.calls.slice(1).map((x) => x.keys), [['y1', 'y2'], ['z1', 'z2']])
  assert.equal(p.producer.inFlight, 2, 'every worker busy while the throttled record waits')
  for (const call of held.splice(0)) call.resolve(answer(call, () => null))
  await flushMicrotasks()
  const lanes = [p.resultWith('y1'), p.resultWith('z1')].map((r) => r?.exchanges[0]?.partition).sort()
  assert.deepEqual(lanes, [0, 1], 'both lanes carried other batches, the throttled batch\'s lane among them')
  assert.deepEqual([p.resultWith('y1')?.outcomes, p.resultWith('z1')?.outcomes], [['delivered', 'delivered'], ['delivered', 'delivered']])
  assert.equal(p.resultWith('x'), undefined, 'the throttled batch is still waiting for its retry')
  await p.clock.advance(749)
  assert.equal(p.fake.calls.length, 3, 'no retry before the backoff')
  await p.clock.advance(1)
  assert.deepEqual(p.fake.calls[3]?.keys, ['hot'], 'only the throttled record is sent again')
  const x = p.resultWith('x')
  assert.deepEqual(x?.outcomes, ['delivered', 'delivered'])
  assert.deepEqual(x?.exchanges.map((e) => [e.attempt, e.records]), [[1, 2], [2, 1]])
  assert.match(x?.exchanges[0]?.error?.text ?? '', /1 of 2 records failed, the first with: ProvisionedThroughputExceededException/)
  assert.equal(x?.exchanges[0]?.error?.code, 'KPROD_THROTTLED')
})
