// Which runs are idempotent: the wire client with --acks all unless --no-idempotent (as the Java
// producer since Kafka 3.0), never with --acks 0 or 1 unless asked for (then an error), and
// kafkajs only when asked for.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig } from '../../../src/config/config.ts'
import { kafkaTarget } from '../../helpers/config-target.ts'
import { ConfigError } from '../../../src/errors.ts'

const idempotent = (flags: Record<string, string | boolean>, env: Record<string, string> = {}): boolean => kafkaTarget(resolveConfig(flags, env, [])).idempotent

test('on by default with the wire client and --acks all; --no-idempotent or KPROD_IDEMPOTENT=false turns it off', () => {
  assert.equal(idempotent({ topic: 't' }), true)
  assert.equal(idempotent({ topic: 't', acks: '-1' }), true)
  assert.equal(idempotent({ topic: 't', idempotent: false }), false)
  assert.equal(idempotent({ topic: 't' }, { KPROD_IDEMPOTENT: 'false' }), false)
})

test('off with --acks 0 or 1, and with kafkajs unless asked for; never for Kinesis', () => {
  assert.equal(idempotent({ topic: 't', acks: '1' }), false)
  assert.equal(idempotent({ topic: 't', acks: '0' }), false)
  assert.equal(idempotent({ topic: 't', kafkaClient: 'kafkajs' }), false)
  assert.equal(idempotent({ topic: 't', kafkaClient: 'kafkajs', idempotent: true }), true)
  // A Kinesis target has no such field at all.
  assert.equal('idempotent' in resolveConfig({ stream: 's' }, {}, []).target, false)
})

test('--idempotent with --acks 1 is a configuration error naming both flags', () => {
  assert.throws(() => resolveConfig({ topic: 't', acks: '1', idempotent: true }, {}, []), (err: unknown) =>
    err instanceof ConfigError && err.problems.some((p) => /--idempotent needs --acks all.*got --acks 1.*--no-idempotent/.test(p)))
})
