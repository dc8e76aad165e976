// Every numeric option of the table has a range Node and the protocol can hold, and a value
// just outside it (from a flag or a KPROD_* variable) is refused naming the flag, the value and
// the range, instead of turning into something else (a timer past 2^31-1 ms fires after 1 ms).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig, camel } from '../../../src/config/config.ts'
import { ConfigError } from '../../../src/errors.ts'
import { MAX_MS, OPTIONS, envName, type OptionSpec } from '../../../src/config/options.ts'

const numeric = OPTIONS.filter((o) => o.kind === 'int')

/** The flags that make `spec` meaningful: its target, and whatever it must not contradict. */
function base (spec: OptionSpec): Record<string, string> {
  return spec.only === 'kinesis' ? { stream: 's' } : { topic: 't' }
}

function problems (flags: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    resolveConfig(flags, env, [])
    return []
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems]
    throw err
  }
}

test('every numeric option has a minimum and a maximum, and options in ms fit a Node timer', () => {
  for (const spec of numeric) {
    assert.ok(spec.min !== undefined && spec.max !== undefined, `--${spec.name} has no range`)
    assert.ok(Number.isSafeInteger(spec.max), `--${spec.name} max ${spec.max}`)
    if (spec.arg === '<ms>') assert.ok(spec.max <= MAX_MS, `--${spec.name} allows ${spec.max} ms, over the 2^31-1 a timer holds`)
  }
})

test('every numeric option is refused just past its maximum and just below its minimum, naming flag, value and range', () => {
  for (const spec of numeric) {
    const min = spec.min as number
    const max = spec.max as number
    const range = `allowed: ${min}..${max}`
    for (const value of [String(BigInt(max) + 1n), String(min - 1)]) {
      const got = problems({ ...base(spec), [camel(spec.name)]: value })
      assert.deepEqual(got, [`--${spec.name}: ${value} is out of range; ${range}`], `--${spec.name} ${value}`)
      const env = envName(spec)
      if (env === null) continue
      const fromEnv = problems(base(spec), { [env]: value })
      assert.deepEqual(fromEnv, [`${env} (--${spec.name}): ${value} is out of range; ${range}`], `${env}=${value}`)
    }
  }
})

test('every numeric option takes its minimum and its maximum, unless another option contradicts them', () => {
  for (const spec of numeric) {
    for (const value of [spec.min as number, spec.max as number]) {
      const got = problems({ ...base(spec), [camel(spec.name)]: String(value) })
      // Only cross-option rules may object (e.g. --min-records above --batch-records), never the range.
      for (const p of got) assert.doesNotMatch(p, /out of range/, `--${spec.name} ${value}: ${p}`)
    }
  }
})

test('timer options past 2^31-1 ms are refused: 2147483648 and 9999999999', () => {
  for (const name of ['requestTimeout', 'flushTimeout', 'drainTimeout', 'statsInterval', 'ackTimeout']) {
    for (const value of ['2147483648', '9999999999']) {
      const got = problems({ topic: 't', [name]: value })
      assert.equal(got.length, 1, `${name} ${value}`)
      assert.match(got[0] as string, /is out of range; allowed: \d+\.\.2147483647$/)
    }
  }
})
