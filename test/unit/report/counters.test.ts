// The counters are defined once in src/report/counters.ts; the output schema must name the same
// keys in the same order wherever it lists them.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { LINE_COUNTERS, OUTCOMES, TALLY_COUNTERS, undelivered, zeroOutcomes, zeroTally } from '../../../src/report/counters.ts'

interface Def { required: string[], properties?: Record<string, Def> }
const schema = JSON.parse(readFileSync(new URL('../../../schema/output.schema.json', import.meta.url), 'utf8')) as { $defs: Record<string, Def> }

test('the schema lists the counters of counters.ts, in their order', () => {
  const defs = schema.$defs
  assert.deepEqual(defs.outcomes?.required, [...OUTCOMES])
  assert.deepEqual(defs.tally?.required, [...TALLY_COUNTERS])
  assert.deepEqual(defs.interval?.required, [...TALLY_COUNTERS, 'recordsPerSec', 'mibPerSec'])
  assert.deepEqual(defs.summary?.properties?.counts?.required, [...LINE_COUNTERS])
})

test('zero counts have every counter, in output order', () => {
  assert.deepEqual(Object.keys(zeroOutcomes()), [...OUTCOMES])
  assert.deepEqual(Object.keys(zeroTally()), [...TALLY_COUNTERS])
})

test('undelivered sums every outcome but delivered', () => {
  assert.equal(undelivered({ delivered: 100, failed: 1, unknown: 2, skipped: 3, unsent: 4 }), 10)
})
