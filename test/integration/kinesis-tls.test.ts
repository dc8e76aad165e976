// Kinesis over TLS, as AWS serves it: kprod with an https:// --endpoint (an HTTPS front for
// kinesalite, HTTP/2 or HTTP/1.1, whose certificate the child trusts through NODE_EXTRA_CA_CERTS)
// with each client, lines read back byte for byte; and the same endpoint untrusted, which must
// fail at start with the certificate named (exit 3), not hang or send in the clear.

import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod } from '../helpers/cli.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisFixture, readStream } from '../helpers/kinesis.ts'
import { sdkLoadEnv, sdkModules } from '../helpers/sdk-load.ts'
import { TLS_TEST_CA_ENV, tlsProxy, type TlsProxy } from '../helpers/tls-proxy.ts'

privateKinesisFixture('kinesis-tls')
const proxies: TlsProxy[] = []
after(async () => { for (const p of proxies) await p.close() })

async function tlsStream (shards: number): Promise<{ endpoint: string, stream: string, proxy: TlsProxy }> {
  const kinesis = await localKinesis('kinesalite')
  const stream = await kinesis.createStream({ shards })
  const proxy = await tlsProxy(Number(new URL(kinesis.endpoint).port))
  proxies.push(proxy)
  return { endpoint: kinesis.endpoint, stream, proxy }
}

const LINES = ['plain', 'tab\tin the middle', 'bytes \xff\xfe not UTF-8', '', 'last'].map((l) => Buffer.from(l, 'latin1'))
const INPUT = Buffer.concat(LINES.flatMap((l) => [l, Buffer.from('\n')]))

for (const client of ['http', 'sdk'] as const) {
  test(`--kinesis-client ${client} over https: every line lands byte for byte`, { timeout: 300_000 }, async () => {
    const { endpoint, stream, proxy } = await tlsStream(2)
    const run = await kprod(['--stream', stream, '--endpoint', proxy.url, '--kinesis-client', client, '--no-progress'], {
      input: INPUT,
      env: { ...KINESIS_TEST_ENV, ...TLS_TEST_CA_ENV, ...sdkLoadEnv() },
      timeoutMs: 120_000
    })
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(run.summary.counts, { read: 5, delivered: 5, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    // kprod's client speaks HTTP/1.1; the SDK's Kinesis client HTTP/2, as it does with AWS.
    assert.ok(proxy.versions.length > 0, 'nothing went through the TLS front')
    assert.deepEqual([...new Set(proxy.versions)], [client === 'http' ? '1.1' : '2.0'])
    if (client === 'http') assert.deepEqual(sdkModules(run.stderr), [], 'the http client loaded the AWS SDK')
    const stored = await readStream(endpoint, stream)
    assert.deepEqual(stored.map((r) => r.data.toString('latin1')).sort(), LINES.map((l) => l.toString('latin1')).sort())
  })

  test(`--kinesis-client ${client} refuses an https endpoint whose certificate it does not trust: exit 3 at once, nothing sent`, { timeout: 300_000 }, async () => {
    const { endpoint, stream, proxy } = await tlsStream(1)
    // No retries until --connect-timeout: the same certificate would be refused again. Killed
    // after 60 s (exit code null) if kprod waited for the 600 s it is given.
    const run = await kprod(['--stream', stream, '--endpoint', proxy.url, '--kinesis-client', client, '--connect-timeout', '600000', '--no-progress'], {
      input: INPUT,
      env: KINESIS_TEST_ENV,
      timeoutMs: 60_000
    })
    assert.equal(run.code, 3, run.stderr)
    assert.match(String(run.summary.error), /^cannot reach Kinesis stream '[^']+' at https:\/\/127\.0\.0\.1:\d+ \(region us-east-1\): TLS refused the endpoint's certificate: .*self-signed certificate.* \(check --endpoint; for a private CA, name its certificate in NODE_EXTRA_CA_CERTS\)$/)
    assert.deepEqual(await readStream(endpoint, stream), [])
  })
}
