// -F/--config files and -X properties: the librdkafka and Java names map onto kprod's options,
// precedence is flags > -X > KPROD_* > file > defaults, and unknown properties, bad lines and
// misspelled KPROD_* variables are named without ever echoing a secret.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '../../../src/config/config.ts'
import { kafkaTarget } from '../../helpers/config-target.ts'
import { ConfigError } from '../../../src/errors.ts'

const dir = mkdtempSync(join(tmpdir(), 'kprod-props-'))
function file (text: string): string {
  const path = join(dir, `p-${Math.random().toString(36).slice(2)}.properties`)
  writeFileSync(path, text)
  return path
}
function problems (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n')
    throw err
  }
  assert.fail('no ConfigError')
}

test('a kcat properties file sets brokers, TLS and SASL; # comments and blank lines are skipped', () => {
  const path = file(['# Confluent Cloud', '', 'bootstrap.servers=h1:9092,h2:9092', 'security.protocol=SASL_SSL',
    'sasl.mechanisms=PLAIN', 'sasl.username=KEY', 'sasl.password=SECRET', 'ssl.ca.location=/etc/ca.pem',
    'compression.codec=gzip', 'acks=1', 'linger.ms=50', 'batch.num.messages=500', 'message.timeout.ms=60000', 'client.id=me'].join('\n'))
  const c = resolveConfig({ topic: 't', config: path }, {}, [])
  assert.deepEqual(kafkaTarget(c).brokers, ['h1:9092', 'h2:9092'])
  assert.equal(kafkaTarget(c).security.protocol, 'SASL_SSL')
  assert.deepEqual(kafkaTarget(c).security.sasl, { mechanism: 'PLAIN', username: 'KEY', password: 'SECRET' })
  assert.equal(kafkaTarget(c).security.tls?.caFile, '/etc/ca.pem')
  assert.equal(kafkaTarget(c).security.tls?.verify, true)
  assert.deepEqual([kafkaTarget(c).compression, kafkaTarget(c).acks, c.batch.lingerMs, c.batch.batchRecords, c.producer.deliveryTimeoutMs, kafkaTarget(c).clientId], ['gzip', 1, 50, 500, 60000, 'me'])
})

test('precedence: flag > -X > KPROD_* > file > default', () => {
  const path = file('linger.ms=1\nacks=0\nclient.id=file\nbatch.num.messages=7\n')
  const c = resolveConfig({ topic: 't', config: path, linger: '4' }, { KPROD_LINGER: '3', KPROD_ACKS: '1', KPROD_CLIENT_ID: 'env' },
    [], ['linger.ms=2', 'acks=all'])
  assert.equal(c.batch.lingerMs, 4)
  assert.equal(kafkaTarget(c).acks, -1)
  assert.equal(kafkaTarget(c).clientId, 'env')
  assert.equal(c.batch.batchRecords, 7)
  assert.equal(c.producer.workers, 8)
})

test('KPROD_CONFIG names the file when -F is not given', () => {
  const c = resolveConfig({ topic: 't' }, { KPROD_CONFIG: file('bootstrap.servers=k:1\n') }, [])
  assert.deepEqual(kafkaTarget(c).brokers, ['k:1'])
})

test('the Java client\'s sasl.jaas.config gives SCRAM credentials; MSK IAM names give --aws-msk-iam', () => {
  const c = resolveConfig({ topic: 't' }, {}, [], ['security.protocol=sasl_ssl', 'sasl.mechanism=SCRAM-SHA-512',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="p\\"w";'])
  assert.deepEqual(kafkaTarget(c).security.sasl, { mechanism: 'SCRAM-SHA-512', username: 'app', password: 'p"w' })
  const msk = resolveConfig({ topic: 't' }, {}, [], ['security.protocol=SASL_SSL', 'sasl.mechanism=AWS_MSK_IAM',
    'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;'])
  assert.deepEqual(kafkaTarget(msk).security.sasl, { mechanism: 'OAUTHBEARER', token: { kind: 'aws-msk-iam', region: null } })
})

test('verification opt-outs and enable.idempotence map to their flags', () => {
  const c = resolveConfig({ topic: 't' }, {}, [], ['security.protocol=ssl', 'enable.ssl.certificate.verification=false',
    'ssl.endpoint.identification.algorithm=none', 'enable.idempotence=true', 'retries=4'])
  assert.equal(kafkaTarget(c).security.tls?.verify, false)
  assert.equal(kafkaTarget(c).security.tls?.checkHostname, false)
  assert.equal(kafkaTarget(c).idempotent, true)
  assert.equal(c.producer.attempts, 5)
})

test('unknown properties, bad lines and bad values are named with their place; secrets are never echoed', () => {
  const path = file('bootstrap.servers=h:1\nthis line has no equals hunter2\nfoo.bar=1\n')
  const text = problems(() => resolveConfig({ topic: 't', config: path }, {}, [],
    ['linger.mss=5', 'sasl.jaas.config=com.example.Custom required password="hunter2";', 'nonsense']))
  assert.match(text, /-X: unknown or unsupported property 'linger.mss' \(did you mean linger.ms\?\)/)
  assert.match(text, new RegExp(`${path}:2: not a key=value line`))
  assert.match(text, new RegExp(`${path}:3: unknown or unsupported property 'foo.bar'`))
  assert.match(text, /login module com.example.Custom is not supported/)
  assert.match(text, /-X: 'nonsense' is not key=value/)
  assert.ok(!text.includes('hunter2'), text)
  assert.match(problems(() => resolveConfig({ topic: 't', config: join(dir, 'missing') }, {}, [])), /--config \(-F, KPROD_CONFIG\): cannot read/)
})

test('a misspelled KPROD_* variable gets a warning naming the closest option; script variables do not', () => {
  const warnings: string[] = []
  resolveConfig({ topic: 't' }, { KPROD_BATCH_RECORD: '5', KPROD_KAFKA_HOME: '/x', KPROD_TEST_KAFKA_BROKERS: 'b:1' }, [], [], (l) => warnings.push(l))
  assert.deepEqual(warnings, ['kprod: warning: the environment variable KPROD_BATCH_RECORD sets no option (ignored); did you mean KPROD_BATCH_RECORDS (--batch-records)?'])
})
