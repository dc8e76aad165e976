// --kinesis-client http: its SigV4 against the AWS SDK's own signer, and its calls, answers and
// errors through a loopback HTTP server, classified by fromKinesisError as the SDK's are. The emulators prove it end to end (kinesis-http-client.test.ts).

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignatureV4 } from '@smithy/signature-v4'
import { KinesisHttpClient, SigV4Keys, hostHeader } from '../../../../src/transports/kinesis/http/client.ts'
import type { PutRecordsCall } from '../../../../src/transports/kinesis/http/request-body.ts'
import { fromKinesisError, putRecordsResult } from '../../../../src/transports/kinesis/errors.ts'
import { LineRecord, type InputRecord } from '../../../../src/record.ts'
import { realClock } from '../../../../src/util/clock.ts'

/** The hash the SDK's signer is given: SHA-256, or HMAC-SHA256 under a secret (node:crypto). */
class NodeSha256 {
  readonly #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>
  constructor (secret?: Uint8Array | string) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret)
  }

  update (data: Uint8Array | string): void { this.#h.update(data) }
  async digest (): Promise<Uint8Array> { return this.#h.digest() }
}

for (const sessionToken of [undefined, 'token/with+odd=chars']) {
  test(`SigV4 headers match the AWS SDK's signer${sessionToken === undefined ? '' : ' (with a session token)'}`, async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken }
    const body = Buffer.from('{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}]}')
    const at = new Date('2026-12-01T12:34:56.789Z')
    const signer = new SigV4Keys()
    const ours = signer.sign({ host: 'kinesis.eu-west-1.amazonaws.com', path: '/', target: 'Kinesis_20131202.PutRecords', body, credentials, region: 'eu-west-1', at })
    const request = {
      method: 'POST',
      protocol: 'https:',
      hostname: 'kinesis.eu-west-1.amazonaws.com',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecords', host: 'kinesis.eu-west-1.amazonaws.com' },
      query: {},
      body
    }
    const identity = sessionToken === undefined ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } : { ...credentials, sessionToken }
    const theirs = await new SignatureV4({ credentials: identity, region: 'eu-west-1', service: 'kinesis', sha256: NodeSha256 as never, applyChecksum: false })
      .sign(request, { signingDate: at })
    assert.equal(ours.authorization, theirs.headers.authorization)
    assert.equal(ours['x-amz-date'], theirs.headers['x-amz-date'])
    assert.equal(ours['x-amz-security-token'], theirs.headers['x-amz-security-token'])
    // The derived key is cached per day: a second request signs the same way.
    assert.equal(signer.sign({ host: 'kinesis.eu-west-1.amazonaws.com', path: '/', target: 'Kinesis_20131202.PutRecords', body, credentials, region: 'eu-west-1', at }).authorization, ours.authorization)
  })
}

function record (line: string, lineNo: number): InputRecord {
  const bytes = Buffer.from(`xx${line}yy`, 'latin1')
  return new LineRecord(bytes, 2, -1, 2, 2 + Buffer.byteLength(line, 'latin1'), lineNo, 0)
}

interface Seen { readonly headers: IncomingMessage['headers'], readonly body: string }

async function server (t: TestContext, handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void): Promise<{ port: number, seen: Seen[] }> {
  const seen: Seen[] = []
  const s = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const one = { headers: req.headers, body: Buffer.concat(chunks).toString() }
      seen.push(one)
      handle(req, res, one)
    })
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()) }))
  return { port: (s.address() as AddressInfo).port, seen }
}

function client (port: number): KinesisHttpClient {
  return new KinesisHttpClient({
    credentials: async () => ({ accessKeyId: 'AK', secretAccessKey: 'SK' }),
    region: async () => 'us-east-1',
    endpoint: () => ({ protocol: 'http:', hostname: '127.0.0.1', port, path: '/' }),
    connectTimeoutMs: 1000,
    maxSockets: 2,
    clock: realClock
  })
}

const call: PutRecordsCall = { stream: 's', records: [record('one', 1), record('two', 2)], keys: { text: ['a', 'b'], random: null }, explicitHashKeys: false }

test('a 200 answer is read by index, "ErrorCode": null counting as success', async (t) => {
  const { port, seen } = await server(t, (_req, res) => {
    res.setHeader('x-amzn-RequestId', 'req-1')
    res.end(JSON.stringify({ FailedRecordCount: 1, Records: [{ ShardId: 'shardId-000000000001', SequenceNumber: '42', ErrorCode: null }, { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }] }))
  })
  const c = client(port)
  t.after(() => c.destroy())
  const out = await c.putRecords(call, new AbortController().signal)
  assert.equal(out.$metadata?.requestId, 'req-1')
  const result = putRecordsResult(out, 2, (shard, seq) => ({ partition: shard === 'shardId-000000000001' ? 1 : -1, position: seq ?? null }))
  assert.equal(result.error, null)
  const [first, second] = result.records as Array<{ ok: boolean, at?: unknown, error?: { code: string } }>
  assert.deepEqual(first, { ok: true, at: { partition: 1, position: '42' } })
  assert.equal(second?.ok, false)
  assert.equal(second?.error?.code, 'KPROD_THROTTLED')
  const h = seen[0]!.headers
  assert.equal(h['x-amz-target'], 'Kinesis_20131202.PutRecords')
  assert.equal(h['content-type'], 'application/x-amz-json-1.1')
  assert.match(String(h.authorization), /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/us-east-1\/kinesis\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/)
  assert.deepEqual(JSON.parse(seen[0]!.body).Records.map((r: { Data: string }) => Buffer.from(r.Data, 'base64').toString()), ['one', 'two'])
})

test('the calls at start are signed JSON posts, their answers parsed, their errors the SDK\'s', async (t) => {
  const { port, seen } = await server(t, (req, res) => {
    res.setHeader('x-amzn-RequestId', `req-${seen.length}`)
    if (req.headers['x-amz-target'] === 'Kinesis_20131202.ListShards') {
      res.statusCode = 400
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Stream s under account 0 not found.' }))
      return
    }
    res.end(JSON.stringify({ StreamDescriptionSummary: { StreamName: 's', StreamStatus: 'ACTIVE', MaxRecordSizeInKiB: 2048, OpenShardCount: 2 } }))
  })
  const c = client(port)
  t.after(() => c.destroy())
  const summary = await c.json<Record<string, unknown>>('DescribeStreamSummary', { StreamName: 's' }, new AbortController().signal)
  assert.deepEqual(summary, { StreamDescriptionSummary: { StreamName: 's', StreamStatus: 'ACTIVE', MaxRecordSizeInKiB: 2048, OpenShardCount: 2 }, $metadata: { requestId: 'req-1' } })
  const error = await c.json('ListShards', { NextToken: 'tok' }, new AbortController().signal).then(() => null, (err: unknown) => err)
  assert.equal(fromKinesisError(error).code, 'KPROD_TARGET_NOT_FOUND')
  assert.deepEqual(seen.map((one) => [one.headers['x-amz-target'], one.body]), [
    ['Kinesis_20131202.DescribeStreamSummary', '{"StreamName":"s"}'],
    ['Kinesis_20131202.ListShards', '{"NextToken":"tok"}']
  ])
  assert.match(String(seen[0]!.headers.authorization), /SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/)
  assert.equal(seen[0]!.headers.host, `127.0.0.1:${port}`)
})

test('the Host header drops the scheme\'s own port and puts an IPv6 address in brackets', () => {
  assert.equal(hostHeader({ protocol: 'https:', hostname: 'kinesis.eu-west-1.amazonaws.com', path: '/' }), 'kinesis.eu-west-1.amazonaws.com')
  assert.equal(hostHeader({ protocol: 'https:', hostname: 'k.local', port: 443, path: '/' }), 'k.local')
  assert.equal(hostHeader({ protocol: 'http:', hostname: 'k.local', port: 443, path: '/' }), 'k.local:443')
  assert.equal(hostHeader({ protocol: 'http:', hostname: '::1', port: 4567, path: '/' }), '[::1]:4567')
})

test('service errors come out as the SDK\'s do: name from __type, HTTP status, request id', async (t) => {
  const answers: Array<[number, string]> = [
    [400, JSON.stringify({ __type: 'com.amazonaws.kinesis.v20131202#ResourceNotFoundException', message: 'Stream s not found' })],
    [400, JSON.stringify({ __type: 'UnrecognizedClientException', Message: 'bad token' })],
    [500, JSON.stringify({ __type: 'InternalFailure' })],
    [503, '<html>busy</html>'],
    [400, JSON.stringify({ __type: 'ProvisionedThroughputExceededException', message: 'rate' })]
  ]
  let n = 0
  const { port } = await server(t, (_req, res) => {
    const [status, body] = answers[n++]!
    res.statusCode = status
    res.setHeader('x-amzn-RequestId', `r${n}`)
    res.end(body)
  })
  const c = client(port)
  t.after(() => c.destroy())
  const errors = []
  for (let i = 0; i < answers.length; i++) {
    errors.push(fromKinesisError(await c.putRecords(call, new AbortController().signal).then(() => null, (err: unknown) => err)))
  }
  assert.deepEqual(errors.map((e) => [e.code, e.retriable, e.maybeWritten]), [
    ['KPROD_TARGET_NOT_FOUND', false, false],
    ['KPROD_AUTH', false, false],
    ['KPROD_BROKER', true, true],
    ['KPROD_BROKER', true, true],
    ['KPROD_THROTTLED', true, false]
  ])
  assert.equal(errors[0]!.message, 'ResourceNotFoundException: Stream s not found (HTTP 400, request id r1)')
  assert.match(errors[3]!.message, /unreadable answer to PutRecords \(HTTP 503\): <html>busy<\/html>/)
})

test('a refused connection was never sent; a connection dropped before the answer may have been written', async (t) => {
  const { port } = await server(t, (req) => { req.socket.destroy() })
  const c = client(port)
  t.after(() => c.destroy())
  const dropped = fromKinesisError(await c.putRecords(call, new AbortController().signal).then(() => null, (err: unknown) => err))
  assert.deepEqual([dropped.code, dropped.retriable, dropped.maybeWritten], ['KPROD_CONNECTION_LOST', true, true])

  const closed = client(1)
  t.after(() => closed.destroy())
  const refused = fromKinesisError(await closed.putRecords(call, new AbortController().signal).then(() => null, (err: unknown) => err))
  assert.deepEqual([refused.code, refused.retriable, refused.maybeWritten], ['KPROD_CONNECTION_LOST', true, false])
})

test('an aborted call rejects, and a call before any endpoint is known says so', async (t) => {
  const { port } = await server(t, () => { /* never answers */ })
  const c = client(port)
  t.after(() => c.destroy())
  const abort = new AbortController()
  const pending = c.putRecords(call, abort.signal)
  setTimeout(() => abort.abort(new Error('deadline')), 50)
  await assert.rejects(pending)
  const none = new KinesisHttpClient({ credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), region: async () => 'r', endpoint: () => null, connectTimeoutMs: 10, maxSockets: 1, clock: realClock })
  await assert.rejects(none.putRecords(call, new AbortController().signal), /no Kinesis endpoint known yet/)
})
