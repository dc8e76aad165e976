// A loopback Kinesis stub for the bench: HTTP/1.1 on 127.0.0.1 (a random free port), just enough
// of the Kinesis JSON 1.1 protocol (X-Amz-Target Kinesis_20131202.*) to answer success, so the
// client is the only limit (the emulators are slower than the client). PutRecords bodies are
// parsed and answered with one result per record; records and data bytes (base64-decoded length)
// are counted. Runs as its own process so its CPU is not charged to the tool under test.
// Result ShardIds go round-robin, not by the key's hash range: fine without --shard-ordering.
//
// usage: node bench/kinesis-stub.ts [--shards N]   prints {"port":P} on stdout, runs until stdin closes.
// Control: GET /__stats → {records, bytes, requests, cpuS, ...} since the last GET /__stats?reset=1.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { parseArgs } from 'node:util'

const { values: opts } = parseArgs({ options: { shards: { type: 'string', default: '4' } } })
const SHARDS = Math.max(1, Number(opts.shards))
const TARGET = 'Kinesis_20131202.'
const JSON_TYPE = 'application/x-amz-json-1.1'

// Sequence numbers look like the real ones (56 digits), so the clients parse answers of real size.
const SEQ_PREFIX = '4965981284932087516800000000000000000'
const shardIds = Array.from({ length: SHARDS }, (_, i) => `shardId-${String(i).padStart(12, '0')}`)

let records = 0
let bytes = 0
let requests = 0
let failedRequests = 0
let seq = 0
let since = { cpu: process.cpuUsage(), at: performance.now() }

function answer (res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': `stub-${requests}` })
  res.end(body)
}

function fail (res: ServerResponse, type: string, message: string): void {
  failedRequests++
  answer(res, 400, JSON.stringify({ __type: type, message }))
}

// Bytes a base64 string decodes to, without decoding it.
function base64Bytes (s: string): number {
  const n = s.length
  if (n === 0) return 0
  const pad = s.charCodeAt(n - 1) === 61 ? (s.charCodeAt(n - 2) === 61 ? 2 : 1) : 0
  return (n * 3) / 4 - pad
}

interface PutRecordsBody { StreamName?: string, StreamARN?: string, Records?: Array<{ Data?: string, PartitionKey?: string }> }

function putRecords (res: ServerResponse, body: PutRecordsBody): void {
  const list = body.Records
  if (!Array.isArray(list) || list.length === 0 || list.length > 500) {
    fail(res, 'ValidationException', `Records must hold 1 to 500 entries, not ${Array.isArray(list) ? list.length : 'none'}`)
    return
  }
  let out = '{"FailedRecordCount":0,"Records":['
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!
    if (typeof r.Data !== 'string' || typeof r.PartitionKey !== 'string' || r.PartitionKey.length === 0) {
      fail(res, 'ValidationException', `record ${i} lacks Data or PartitionKey`)
      return
    }
    bytes += base64Bytes(r.Data)
    const n = ++seq
    out += `${i === 0 ? '' : ','}{"SequenceNumber":"${SEQ_PREFIX}${String(n).padStart(19, '0')}","ShardId":"${shardIds[n % SHARDS]!}"}`
  }
  records += list.length
  answer(res, 200, out + ']}')
}

function describeStreamSummary (res: ServerResponse, body: { StreamName?: string }): void {
  const name = body.StreamName ?? 'stream'
  answer(res, 200, JSON.stringify({
    StreamDescriptionSummary: {
      StreamName: name,
      StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`,
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: Math.floor(Date.now() / 1000),
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'NONE',
      OpenShardCount: SHARDS,
      ConsumerCount: 0
    }
  }))
}

// Equal hash key ranges over 2^128, one per shard.
function listShards (res: ServerResponse): void {
  const max = (1n << 128n) - 1n
  const step = (max + 1n) / BigInt(SHARDS)
  const Shards = shardIds.map((ShardId, i) => ({
    ShardId,
    HashKeyRange: { StartingHashKey: String(step * BigInt(i)), EndingHashKey: String(i === SHARDS - 1 ? max : step * BigInt(i + 1) - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: `${SEQ_PREFIX}${'0'.repeat(19)}` }
  }))
  answer(res, 200, JSON.stringify({ Shards }))
}

function stats (req: IncomingMessage, res: ServerResponse): void {
  const cpu = process.cpuUsage(since.cpu)
  const now = performance.now()
  const body = JSON.stringify({ records, bytes, requests, failedRequests, cpuS: (cpu.user + cpu.system) / 1e6, wallS: (now - since.at) / 1000 })
  if (req.url?.includes('reset=1') === true) {
    records = bytes = requests = failedRequests = 0
    since = { cpu: process.cpuUsage(), at: now }
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/__stats') === true) {
    stats(req, res)
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    requests++
    const target = req.headers['x-amz-target']
    const op = typeof target === 'string' && target.startsWith(TARGET) ? target.slice(TARGET.length) : ''
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      fail(res, 'SerializationException', 'body is not JSON')
      return
    }
    switch (op) {
      case 'PutRecords': putRecords(res, body as PutRecordsBody); break
      case 'DescribeStreamSummary': describeStreamSummary(res, body as { StreamName?: string }); break
      case 'ListShards': listShards(res); break
      default: fail(res, 'UnknownOperationException', `operation '${String(target)}' is not in this stub`)
    }
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  process.stdout.write(JSON.stringify({ port }) + '\n')
})
// The bench owns this process: it ends when the bench closes our stdin (or dies).
process.stdin.on('data', () => {})
process.stdin.on('end', () => { server.close(); server.closeAllConnections(); process.exit(0) })
process.stdin.resume()
