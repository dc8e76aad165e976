// The Kinesis baseline: a bare @aws-sdk/client-kinesis PutRecords loop. It reads lines from stdin
// (the bench redirects the workload file), cuts them into PutRecords calls of --batch records and
// keeps --concurrency calls in flight, with kprod's client settings: maxAttempts 1, the HTTP/1.1
// NodeHttpHandler for http:// endpoints, the same timeouts, and a 32-hex-character random
// partition key per record (one randomBytes call per batch, as kprod does). Nothing else: no
// batching timer, no per-record bookkeeping, no output but one JSON line at the end.
// --lean also removes the SDK's logger middleware, as kprod does (src/transports/kinesis/transport.ts): the
// loop with kprod's one SDK-level saving, so the comparison can be read both ways.
// usage: node bench/kinesis-sdk-loop.ts --stream S --endpoint URL [--concurrency 8] [--batch 500] [--lean]
// Credentials and region come from the SDK's default chain (the bench sets AWS_* to fakes).
// Exit 0 when every record was accepted, 4 when any was not.

import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis'
import { NodeHttpHandler } from '@smithy/node-http-handler'

const { values: opts } = parseArgs({
  options: {
    stream: { type: 'string' },
    endpoint: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    batch: { type: 'string', default: '500' },
    lean: { type: 'boolean', default: false }
  }
})
if (opts.stream === undefined || opts.endpoint === undefined) {
  process.stderr.write('usage: node bench/kinesis-sdk-loop.ts --stream S --endpoint URL [--concurrency N] [--batch N]\n')
  process.exit(2)
}
const stream = opts.stream
const concurrency = Math.max(1, Number(opts.concurrency))
const batchSize = Math.min(500, Math.max(1, Number(opts.batch)))
const KEY_CHARS = 32

// kprod's clientConfig(): defaults --request-timeout 30000, --connect-timeout 10000.
const client = new KinesisClient({
  maxAttempts: 1,
  endpoint: opts.endpoint,
  ...(opts.endpoint.startsWith('http://')
    ? { requestHandler: new NodeHttpHandler({ requestTimeout: 30_000, connectionTimeout: 10_000, throwOnRequestTimeout: true }) }
    : {})
})

if (opts.lean) client.middlewareStack.remove('loggerMiddleware')

let sent = 0
let accepted = 0
let failed = 0
let requests = 0
let errors = 0
let inFlight = 0
let wake: (() => void) | null = null

async function put (lines: Buffer[]): Promise<void> {
  const keys = randomBytes(lines.length * KEY_CHARS / 2).toString('hex')
  const entries = new Array<PutRecordsRequestEntry>(lines.length)
  for (let i = 0; i < lines.length; i++) entries[i] = { Data: lines[i]!, PartitionKey: keys.slice(i * KEY_CHARS, (i + 1) * KEY_CHARS) }
  requests++
  try {
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }))
    const ok = (out.Records ?? []).filter(r => r.ErrorCode === undefined).length
    if (out.Records?.length !== lines.length || out.FailedRecordCount !== 0) {
      if (errors++ < 3) process.stderr.write(`sdk-loop: PutRecords answered ${out.Records?.length ?? 0} results, ${out.FailedRecordCount ?? '?'} failed, for ${lines.length} records\n`)
    }
    accepted += ok
    failed += lines.length - ok
  } catch (err) {
    failed += lines.length
    if (errors++ < 3) process.stderr.write(`sdk-loop: PutRecords failed: ${String(err)}\n`)
  }
}

function launch (lines: Buffer[]): void {
  sent += lines.length
  inFlight++
  put(lines).finally(() => {
    inFlight--
    const w = wake
    wake = null
    w?.()
  }).catch(() => {})
}

// Resolves once fewer than `limit` calls are in flight.
async function inFlightBelow (limit: number): Promise<void> {
  for (;;) {
    if (inFlight < limit) return
    await new Promise<void>(resolve => { wake = resolve })
  }
}

let batch: Buffer[] = []
let rest: Buffer | null = null
for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
  const buf: Buffer = rest === null ? chunk : Buffer.concat([rest, chunk])
  let start = 0
  for (let lf = buf.indexOf(10, start); lf >= 0; lf = buf.indexOf(10, start)) {
    const end = lf > start && buf[lf - 1] === 13 ? lf - 1 : lf
    batch.push(buf.subarray(start, end))
    start = lf + 1
    if (batch.length === batchSize) {
      await inFlightBelow(concurrency)
      launch(batch)
      batch = []
    }
  }
  rest = start < buf.length ? buf.subarray(start) : null
}
if (rest !== null) batch.push(rest)
if (batch.length > 0) {
  await inFlightBelow(concurrency)
  launch(batch)
}
await inFlightBelow(1)
client.destroy()
process.stdout.write(JSON.stringify({ sent, accepted, failed, requests, errors }) + '\n')
process.exitCode = failed === 0 && accepted === sent ? 0 : 4
