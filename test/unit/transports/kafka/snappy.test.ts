// kprod's own snappy encoder, decoded by the `snappy` package's decoder (the Rust `snap` crate),
// and the choice between it and the package's encoder. That the broker (snappy-java) and kcat
// (librdkafka) take its copies, 4-byte offsets included, is in the integration suite
// (kafka-codecs.test.ts).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { MAX_TRIAL_GAP, maxCompressedLength, pickingEncoder, snappyCompress, TRIAL_GAP } from '../../../../src/transports/kafka/wire/snappy.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

const require = createRequire(import.meta.url)
const snappy = require('snappy') as { uncompressSync: (b: Buffer) => Buffer, compressSync: (b: Buffer) => Buffer }

function roundTrip (data: Buffer, what: string): Buffer {
  const packed = snappyCompress(data)
  assert.ok(packed.length <= maxCompressedLength(data.length), `${what}: ${packed.length} bytes, above the bound`)
  assert.ok(snappy.uncompressSync(packed).equals(data), `${what}: decoded bytes differ`)
  return packed
}

/** Printable pseudo-random bytes from `seed`, no LF. */
function filler (size: number, seed: number): Buffer {
  const random = seededRandom(seed)
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = 0x21 + Math.floor(random() * 90)
  return b
}

/** W2's shape: a number, then the same 10 KiB of filler, line after line. */
function w2Like (lines: number): Buffer {
  const fill = filler(10_240, 1)
  return Buffer.concat(Array.from({ length: lines }, (_, i) => Buffer.concat([Buffer.from(String(i).padStart(12, '0')), fill, Buffer.from('\n')])))
}

/** Short JSON log lines, whose repeats are near each other. */
function jsonLike (lines: number): Buffer {
  const random = seededRandom(7)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
  return Buffer.from(Array.from({ length: lines }, (_, i) => JSON.stringify({
    ts: new Date(1_700_000_000_000 + i * 37).toISOString(),
    level: pick(['info', 'info', 'warn']),
    path: pick(['/api/v1/users/', '/api/v1/orders/', '/health']) + String(Math.floor(random() * 1000)),
    status: pick([200, 200, 404, 500]),
    trace: Math.floor(random() * 2 ** 32).toString(16)
  }) + '\n').join(''))
}

test('short inputs, below and around the 15-byte margin, round-trip', () => {
  for (let n = 0; n <= 40; n++) roundTrip(Buffer.from('abcabcabcabcabcabcabcabcabcabcabcabcabcabc'.slice(0, n)), `${n} bytes`)
  assert.deepEqual(snappyCompress(Buffer.alloc(0)), Buffer.from([0]), 'the empty input: its length, 0, alone')
})

test('incompressible input is stored as literals within the bound, and large inputs round-trip', () => {
  roundTrip(randomBytes(100_000), 'random 100 KB')
  roundTrip(randomBytes(5 * 1024 * 1024), 'random 5 MiB')
  const zeros = roundTrip(Buffer.alloc(3 * 1024 * 1024), '3 MiB of zeros (a copy from 1 byte back)')
  assert.ok(zeros.length < 3 * 1024 * 1024 / 20, `${zeros.length} bytes`)
})

test('inputs that mix literals, short and long matches round-trip, whatever their seed', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const random = seededRandom(seed)
    const parts: Buffer[] = []
    let size = 0
    while (size < 300_000) {
      const kind = random()
      const earlier = Buffer.concat(parts)
      let part: Buffer
      if (kind < 0.4 || earlier.length < 100) part = filler(1 + Math.floor(random() * 200), seed * 1000 + parts.length)
      else {
        const from = Math.floor(random() * (earlier.length - 1))
        part = Buffer.from(earlier.subarray(from, from + 1 + Math.floor(random() * (kind < 0.8 ? 40 : 90_000))))
      }
      parts.push(part)
      size += part.length
    }
    roundTrip(Buffer.concat(parts), `seed ${seed}`)
  }
})

test('repeats further apart than 64 KiB are found (copies with 4-byte offsets)', () => {
  const a = filler(70_000, 2)
  const b = filler(70_000, 3)
  const data = Buffer.concat([a, b, a, b, a])
  const packed = roundTrip(data, 'A B A B A of 70 KB each')
  // The step between lookups has grown over 140 KB of misses, so the first copy comes some KB
  // into the third part; from there on the parts are copies.
  assert.ok(packed.length < 2.5 * 70_000, `${packed.length} bytes: the last three parts should be mostly copies`)
  assert.ok(snappy.compressSync(data).length > 4 * 70_000, 'the snappy package, 64 KiB at a time, finds none of them')
})

test('a W2-shaped section comes out at under a third of the snappy package\'s size', () => {
  const data = w2Like(100)
  const own = roundTrip(data, 'W2-like 1 MiB').length
  const native = snappy.compressSync(data).length
  assert.ok(own * 3 < native, `own ${own} bytes, snappy package ${native}`)
})

test('pickingEncoder: both encoders on trial sections, the wide one between trials only while it saves a quarter, trials rarer while it does not', () => {
  const calls: string[] = []
  let wideSize = 50
  const native = (d: Buffer): Buffer => { calls.push('native'); return Buffer.alloc(100, d[0]) }
  const wide = (d: Buffer): Buffer => { calls.push('wide'); return Buffer.alloc(wideSize, d[0]) }
  const encode = pickingEncoder(native, wide)
  const section = Buffer.from('x')
  /** Encodes `n` sections; the indexes (counted from this call) of those that ran both encoders. */
  let between = 'native'
  const trials = (n: number): number[] => {
    const at: number[] = []
    for (let i = 0; i < n; i++) {
      calls.length = 0
      encode(section)
      if (calls.length === 2) {
        at.push(i)
        between = wideSize <= 75 ? 'wide' : 'native'
      } else {
        assert.deepEqual(calls, [between], `section ${i}`)
      }
    }
    return at
  }
  assert.deepEqual(trials(3 * TRIAL_GAP), [0, TRIAL_GAP, 2 * TRIAL_GAP], 'the wide encoder saves half: a trial every TRIAL_GAP sections')
  calls.length = 0
  assert.equal(encode(section).length, 50, 'a trial returns the smaller output')
  wideSize = 90 // smaller, but not by a quarter: from the next trial on, the native encoder alone
  const later = trials(2000)
  assert.equal(later[0], TRIAL_GAP - 1)
  const gaps = later.slice(1).map((at, i) => at - later[i]!)
  assert.deepEqual(gaps.slice(0, 5), [2 * TRIAL_GAP, 4 * TRIAL_GAP, 8 * TRIAL_GAP, MAX_TRIAL_GAP, MAX_TRIAL_GAP], 'the gap doubles up to MAX_TRIAL_GAP')
})

test('with the real encoders: W2-shaped sections get the wide one, JSON log lines keep the snappy package', () => {
  const used: string[] = []
  const native = (d: Buffer): Buffer => { used.push('native'); return snappy.compressSync(d) }
  const wide = (d: Buffer): Buffer => { used.push('wide'); return snappyCompress(d) }
  for (const [section, expected] of [[w2Like(100), 'wide'], [jsonLike(8_000), 'native']] as const) {
    const encode = pickingEncoder(native, wide)
    encode(section) // the trial
    used.length = 0
    encode(section)
    assert.deepEqual(used, [expected])
  }
})
