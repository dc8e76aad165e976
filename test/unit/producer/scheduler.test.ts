// The lane scheduler without a clock: the token rule ("a partition's token is idle, held by a
// retry, or lent to one exchange") under a long scripted run, and the orders it promises.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ANY_PARTITION } from '../../../src/batch/batch.ts'
import { LaneScheduler, type Lane } from '../../../src/producer/scheduler.ts'

interface TestJob extends Lane { readonly name: string }

let seq = 0
const job = (name: string, want = ANY_PARTITION): TestJob => ({ name, seq: seq++, want, holds: null })

function assertTokenRule (lanes: LaneScheduler<TestJob>, partitions: readonly number[], sending: ReadonlyMap<number, TestJob>): void {
  const { idle, held, lent } = lanes.tokens()
  // Exactly one place per token: together the three lists are the partitions, each once.
  assert.deepEqual([...idle, ...held, ...lent].sort((a, b) => a - b), [...partitions])
  // A lent token is lent to one exchange, and every exchange has its token.
  assert.deepEqual(lent, [...sending.keys()].sort((a, b) => a - b))
  for (const p of partitions) assert.equal(lanes.tokenOf(p), idle.includes(p) ? 'idle' : held.includes(p) ? 'held' : 'lent')
}

test('the token rule holds at every step of a scripted run of sends, retries and drops', () => {
  const partitions = [0, 1, 2, 3]
  const lanes = new LaneScheduler<TestJob>(partitions)
  const sending = new Map<number, TestJob>()
  const sleeping: TestJob[] = []
  // A fixed pseudo-random script (LCG): the same run every time, no clock, no timers.
  let state = 7
  const pick = (n: number): number => { state = (state * 1103515245 + 12345) % 2147483648; return state % n }
  let started = 0
  for (let step = 0; step < 2000; step++) {
    const action = pick(5)
    if (action === 0) {
      lanes.wait(job(`b${step}`, pick(3) === 0 ? pick(4) : ANY_PARTITION))
    } else if (action === 1) {
      const next = lanes.next()
      if (next !== null) {
        const p = lanes.lend(next)
        assert.ok(!sending.has(p), `partition ${p} lent twice`)
        sending.set(p, next)
        started++
      }
    } else if (action === 2 && sending.size > 0) {
      // An exchange ends: delivered (token idle) or a retry, bound to its partition or not.
      const p = [...sending.keys()][pick(sending.size)] as number
      const j = sending.get(p) as TestJob
      sending.delete(p)
      const outcome = pick(3)
      if (outcome === 0) lanes.release(p)
      else if (outcome === 1) { j.want = p; lanes.hold(j, p); sleeping.push(j) } else { j.want = ANY_PARTITION; lanes.release(p); sleeping.push(j) }
    } else if (action === 3 && sleeping.length > 0) {
      // A backoff ends (woken), or the batch gives up (dropped, as at its deadline).
      const j = sleeping.splice(pick(sleeping.length), 1)[0] as TestJob
      if (pick(4) === 0) lanes.drop(j)
      else lanes.rewait(j)
    }
    assertTokenRule(lanes, partitions, sending)
  }
  assert.ok(started > 100, `the script started ${started} exchanges`)
})

test('a retry that holds its token goes next, and no later batch for that partition overtakes it', () => {
  const lanes = new LaneScheduler<TestJob>([0, 1])
  const first = job('first', 1)
  lanes.wait(first)
  assert.equal(lanes.next(), first)
  assert.equal(lanes.lend(first), 1)
  // It fails and will retry on 1: the token stays with it through the backoff.
  lanes.hold(first, 1)
  const later = job('later', 1)
  lanes.wait(later)
  assert.equal(lanes.next(), null, 'partition 1 is held: the later batch must wait')
  assert.deepEqual(lanes.tokens(), { idle: [0], held: [1], lent: [] })
  lanes.rewait(first)
  assert.equal(lanes.next(), first)
  assert.equal(lanes.lend(first), 1)
  assert.equal(first.holds, null)
  lanes.release(1)
  assert.equal(lanes.next(), later)
})

test('ANY batches rotate over idle tokens in release order; waiting batches start oldest first', () => {
  const lanes = new LaneScheduler<TestJob>([0, 1, 2])
  const a = job('a')
  const b = job('b')
  const pinned = job('pinned', 2)
  lanes.wait(a)
  lanes.wait(b)
  lanes.wait(pinned)
  assert.equal(lanes.next(), a)
  assert.equal(lanes.lend(a), 0)
  assert.equal(lanes.next(), b)
  assert.equal(lanes.lend(b), 1)
  assert.equal(lanes.next(), pinned)
  assert.equal(lanes.lend(pinned), 2)
  assert.equal(lanes.next(), null)
  lanes.release(1)
  lanes.release(0)
  const c = job('c')
  lanes.wait(c)
  assert.equal(lanes.next(), c)
  assert.equal(lanes.lend(c), 1, 'the token released first is taken first')
})

test('a woken retry without a token goes back among ANY batches in arrival order', () => {
  const lanes = new LaneScheduler<TestJob>([0])
  const old = job('old')
  const young = job('young')
  lanes.wait(old)
  assert.equal(lanes.next(), old)
  lanes.release(lanes.lend(old))
  lanes.wait(young)
  lanes.rewait(old)
  assert.equal(lanes.next(), old)
})
