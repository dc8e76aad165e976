// --kinesis-client http with credentials and region in the environment does without the AWS SDK:
// the kprod child is watched by a preloaded module-resolution hook, which names every @aws-sdk/*
// and @smithy/* module it loads. The SDK client is watched the same way, so the hook is seen to work.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod } from '../helpers/cli.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisFixture, readStream } from '../helpers/kinesis.ts'
import { sdkLoadEnv, sdkModules } from '../helpers/sdk-load.ts'

privateKinesisFixture('kinesis-no-sdk')

for (const client of ['http', 'sdk'] as const) {
  test(`--kinesis-client ${client}: 3 keyed lines land on kinesalite, ${client === 'http' ? 'and the AWS SDK is never loaded' : 'through the AWS SDK'}`, { timeout: 300_000 }, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 2 })
    const run = await kprod(['--stream', stream, '--endpoint', kinesis.endpoint, '--kinesis-client', client, '--key-separator', '\\t', '--shard-ordering', '--no-progress'], {
      input: 'k1\tone\nk2\ttwo\nk3\tthree\n',
      env: { ...KINESIS_TEST_ENV, ...sdkLoadEnv() },
      timeoutMs: 120_000
    })
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(run.summary.counts, { read: 3, delivered: 3, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    const loaded = sdkModules(run.stderr)
    if (client === 'http') assert.deepEqual(loaded, [])
    else assert.ok(loaded.includes('@aws-sdk/client-kinesis'), JSON.stringify(loaded))
    const stored = await readStream(kinesis.endpoint, stream)
    assert.deepEqual(stored.map((r) => `${r.partitionKey}\t${r.data.toString()}`).sort(), ['k1\tone', 'k2\ttwo', 'k3\tthree'])
  })
}
