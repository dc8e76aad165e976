// --rate and --rate-bytes: k/M/G suffixes (records in thousands, bytes in KiB), an optional /s,
// and a refusal naming the flag (or variable), the value and the range.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig } from '../../../src/config/config.ts'
import { ConfigError } from '../../../src/errors.ts'

function rate (flags: Record<string, string>, env: Record<string, string> = {}) {
  return resolveConfig({ topic: 't', ...flags }, env, []).producer.rate
}

function problems (flags: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    resolveConfig({ topic: 't', ...flags }, env, [])
    return []
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems]
    throw err
  }
}

test('rate is null when neither --rate nor --rate-bytes is given', () => {
  assert.equal(rate({}), null)
})

test('rate reads plain numbers, k/M/G suffixes and /s', () => {
  const cases: [string, string, number][] = [
    ['rate', '5000', 5000], ['rate', '5000/s', 5000], ['rate', '5k', 5000], ['rate', '2.5k/s', 2500], ['rate', '1M', 1_000_000], ['rate', '1G', 1_000_000_000],
    ['rateBytes', '100', 100], ['rateBytes', '10k', 10_240], ['rateBytes', '10M/s', 10_485_760], ['rateBytes', '1G', 1024 ** 3]
  ]
  for (const [flag, text, want] of cases) {
    const got = rate({ [flag]: text })
    assert.equal(flag === 'rate' ? got?.recordsPerSec : got?.bytesPerSec, want, `${flag} ${text}`)
  }
  assert.deepEqual(rate({ rate: '100', rateBytes: '1k' }), { recordsPerSec: 100, bytesPerSec: 1024 })
})

test('rate refuses values outside its range, naming the flag, the value and the range', () => {
  assert.deepEqual(problems({ rate: '0' }), ["--rate: '0' is out of range; allowed: 1..1000000000 records per second"])
  assert.deepEqual(problems({ rate: '2G' }), ["--rate: '2G' is out of range; allowed: 1..1000000000 records per second"])
  assert.deepEqual(problems({ rateBytes: '1025G' }), ["--rate-bytes: '1025G' is out of range; allowed: 1..1099511627776 bytes per second"])
  assert.deepEqual(problems({}, { KPROD_RATE: '0/s' }), ["KPROD_RATE (--rate): '0/s' is out of range; allowed: 1..1000000000 records per second"])
})

test('rate refuses text that is not a rate, and fractions of a record', () => {
  assert.match(problems({ rate: 'fast' })[0] ?? '', /^--rate: 'fast' is not a rate; give records per second as a number with an optional k \(1000\), M or G and \/s, e\.g\. 5000 or 5k\/s; allowed: 1\.\.1000000000 records per second$/)
  assert.match(problems({ rate: '-5' })[0] ?? '', /^--rate: '-5' is not a rate/)
  assert.deepEqual(problems({ rate: '1.5' }), ["--rate: '1.5' is 1.5 records per second, not a whole number; allowed: 1..1000000000 records per second"])
})
