// An HTTP/1.1 proxy on loopback in front of a real Kinesis emulator, for partial-failure and
// outage tests. Records it fails are never forwarded, so they are truly not stored; the others
// reach the emulator unchanged and its results are merged back in request order.

import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RecordErrorCode = 'ProvisionedThroughputExceededException' | 'InternalFailure'

/** One record of a PutRecords request, as the predicate of a fail-records plan sees it. */
export interface ProxiedRecord {
  readonly data: Buffer
  readonly partitionKey: string
  /** Position in its request, from 0. */
  readonly index: number
  /** Position among the PutRecords records seen under fail-records plans, from 1; a retried record counts anew. */
  readonly ordinal: number
}

/**
 * What the proxy does with each request:
 * - pass: forward everything;
 * - fail-records: fail the PutRecords records `fail` picks, forward the rest (other calls pass);
 * - error: answer every request with `status` and an AWS JSON error body, forwarding nothing;
 * - destroy: destroy every request's socket without an answer;
 * - hang: never answer; hung sockets are destroyed when the plan changes or at close().
 * The error, destroy and hang plans take two limits: `putRecordsOnly` lets every other call pass
 * (kprod's DescribeStreamSummary at start, for instance), and after `times` faulted requests the
 * plan becomes pass by itself, so a test gets an exact number of failed exchanges.
 * Nothing is forwarded under a faulting plan: a faulted request is never stored.
 */
export type FaultPlan =
  | { readonly mode: 'pass' }
  | { readonly mode: 'fail-records', readonly fail: (record: ProxiedRecord) => boolean, readonly errorCode?: RecordErrorCode }
  | ({ readonly mode: 'error', readonly status: number, readonly errorType?: string, readonly message?: string } & FaultLimits)
  | ({ readonly mode: 'destroy' } & FaultLimits)
  | ({ readonly mode: 'hang' } & FaultLimits)

export interface FaultLimits {
  readonly putRecordsOnly?: boolean
  readonly times?: number
}

/** Counts since the proxy started. */
export interface FaultStats {
  requests: number
  putRecordsRequests: number
  /** PutRecords records forwarded to the emulator and answered by it (under any plan). */
  recordsForwarded: number
  /** PutRecords records failed by the proxy. */
  recordsFailed: number
  /** Requests answered by an error, destroy or hang plan. */
  requestsFaulted: number
  /** Requests forwarded whose answer was relayed back (the emulator answered them). */
  requestsAnswered: number
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly stats: Readonly<FaultStats>
  setPlan (plan: FaultPlan): void
  /** The endpoint goes down: the port stops listening (connections are refused) and open ones are dropped. */
  down (): Promise<void>
  /** The endpoint comes back on the same port. */
  up (): Promise<void>
  close (): Promise<void>
}

/** A fail-records predicate: every k-th PutRecords record the proxy sees (k, 2k, …). */
export function everyKth (k: number): (record: ProxiedRecord) => boolean {
  return (record) => record.ordinal % k === 0
}

const JSON_TYPE = 'application/x-amz-json-1.1'

interface WireRecord {
  Data: string
  PartitionKey: string
  [key: string]: unknown
}

interface WireOutput {
  FailedRecordCount?: number
  Records?: Array<Record<string, unknown>>
  [key: string]: unknown
}

function readBody (req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function send (res: ServerResponse, status: number, body: Buffer, type = JSON_TYPE, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length), ...extra })
  res.end(body)
}

function sendError (res: ServerResponse, status: number, errorType: string, message: string): void {
  const body = Buffer.from(JSON.stringify({ __type: errorType, message }))
  send(res, status, body, JSON_TYPE, { 'x-amzn-errortype': errorType })
}

interface Upstream {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  readonly body: Buffer
}

function forward (target: URL, agent: Agent, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) }
  delete headers['transfer-encoding']
  return new Promise((resolve, reject) => {
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject)
    })
    up.on('error', reject)
    up.end(body)
  })
}

function relay (ctx: Context, res: ServerResponse, up: Upstream): void {
  ctx.stats.requestsAnswered++
  const headers = { ...up.headers, 'content-length': String(up.body.length) }
  delete headers['transfer-encoding']
  res.writeHead(up.status, headers)
  res.end(up.body)
}

type FailPlan = Extract<FaultPlan, { mode: 'fail-records' }>

/** Splits a PutRecords call: forwards the records `plan` keeps, merges in the failures. */
async function putRecords (ctx: Context, plan: FailPlan, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const input = JSON.parse(body.toString('utf8')) as { Records?: WireRecord[], [key: string]: unknown }
  const records = input.Records ?? []
  const failed = records.map((r, index) => plan.fail({
    data: Buffer.from(r.Data, 'base64'), partitionKey: r.PartitionKey, index, ordinal: ++ctx.ordinal
  }))
  const kept = records.filter((_, i) => !failed[i])
  let out: WireOutput = { FailedRecordCount: 0, Records: [] }
  if (kept.length > 0) {
    const up = await forward(ctx.target, ctx.agent, req, Buffer.from(JSON.stringify({ ...input, Records: kept })))
    // A request-level answer (an error, a throttle) is the whole call's answer.
    if (up.status !== 200) { relay(ctx, res, up); return }
    ctx.stats.recordsForwarded += kept.length
    ctx.stats.requestsAnswered++
    out = JSON.parse(up.body.toString('utf8')) as WireOutput
  }
  const results = out.Records ?? []
  if (results.length !== kept.length) throw new Error(`emulator answered ${results.length} results for ${kept.length} records`)
  ctx.stats.recordsFailed += records.length - kept.length
  const code = plan.errorCode ?? 'ProvisionedThroughputExceededException'
  const message = code === 'InternalFailure' ? 'Internal service failure (injected by fault-proxy).' : 'Rate exceeded for shard (injected by fault-proxy).'
  let next = 0
  const merged = records.map((_, i) => failed[i] === true ? { ErrorCode: code, ErrorMessage: message } : results[next++])
  const reply = { ...out, FailedRecordCount: (out.FailedRecordCount ?? 0) + records.length - kept.length, Records: merged }
  send(res, 200, Buffer.from(JSON.stringify(reply)))
}

interface Context {
  readonly target: URL
  readonly agent: Agent
  readonly stats: FaultStats
  plan: FaultPlan
  ordinal: number
  /** Requests faulted under the current plan (for `times`). */
  faulted: number
  readonly hung: Set<ServerResponse>
}

async function handle (ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req)
  ctx.stats.requests++
  const plan = ctx.plan
  const isPut = req.headers['x-amz-target'] === 'Kinesis_20131202.PutRecords'
  if (isPut) ctx.stats.putRecordsRequests++
  if ((plan.mode === 'error' || plan.mode === 'destroy' || plan.mode === 'hang') && (isPut || plan.putRecordsOnly !== true)) {
    ctx.stats.requestsFaulted++
    if (plan.times !== undefined && ++ctx.faulted >= plan.times) ctx.plan = { mode: 'pass' }
    if (plan.mode === 'error') sendError(res, plan.status, plan.errorType ?? 'InternalFailure', plan.message ?? 'injected by fault-proxy')
    else if (plan.mode === 'destroy') req.socket.destroy()
    else ctx.hung.add(res)
    return
  }
  if (plan.mode === 'fail-records' && isPut) {
    // Only the JSON protocol can be rewritten: fail loudly rather than inject nothing.
    if (!String(req.headers['content-type']).startsWith(JSON_TYPE)) {
      sendError(res, 400, 'FaultProxyError', `cannot rewrite a ${String(req.headers['content-type'])} body`)
      return
    }
    await putRecords(ctx, plan, req, res, body)
    return
  }
  const up = await forward(ctx.target, ctx.agent, req, body)
  if (isPut && up.status === 200) ctx.stats.recordsForwarded += putRecordsCount(body)
  relay(ctx, res, up)
}

function putRecordsCount (body: Buffer): number {
  return (JSON.parse(body.toString('utf8')) as { Records?: unknown[] }).Records?.length ?? 0
}

/** Starts a proxy on 127.0.0.1 (a free port) in front of `target` (http://host:port). */
export async function startFaultProxy (target: string, plan: FaultPlan): Promise<FaultProxy> {
  const stats: FaultStats = { requests: 0, putRecordsRequests: 0, recordsForwarded: 0, recordsFailed: 0, requestsFaulted: 0, requestsAnswered: 0 }
  const ctx: Context = { target: new URL(target), agent: new Agent({ keepAlive: true }), stats, plan, ordinal: 0, faulted: 0, hung: new Set() }
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 502, 'FaultProxyError', `fault-proxy: ${String(err)}`)
      else res.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const releaseHung = (): void => {
    for (const res of ctx.hung) res.destroy()
    ctx.hung.clear()
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setPlan (next) {
      ctx.plan = next
      ctx.faulted = 0
      if (next.mode !== 'hang') releaseHung()
    },
    async down () {
      if (!server.listening) return
      releaseHung()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
    async up () {
      if (server.listening) return
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve() })
      })
    },
    async close () {
      releaseHung()
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        await closed
      }
      ctx.agent.destroy()
    }
  }
}
