// PutRecords straight over HTTP(S), for --kinesis-client http: the request body is written as
// JSON into one Buffer from the records' bytes (base64 per record, no request objects), signed
// with SigV4 here, and the answer scanned once for where its strings are (kinesis-answer.ts). The
// AWS SDK still does everything else: it finds the credentials (its default chain, cached), the
// region, and the endpoint (the one its describe call at start went to), and it makes the
// control-plane calls. On 100-byte records the SDK's serializers, parsers and middleware were
// ~40 % of kprod's CPU and most of its garbage (bench/README.md). Errors come out shaped like the
// SDK's (name, $metadata, $fault; socket errors as node raises them, with their code), so
// kinesis-errors.ts classifies both clients alike.

import { createHash, createHmac } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { EncryptionType } from '@aws-sdk/client-kinesis'
import { LineRecord, recordValueBytes, type InputRecord } from '../record.ts'
import type { Clock } from '../util/clock.ts'
import { scanPutRecordsAnswer } from './kinesis-answer.ts'
import type { PutRecordsAnswer } from './kinesis-errors.ts'

/** One PutRecords call: the records' values go as Data, keys[i] as record i's PartitionKey. */
export interface PutRecordsCall {
  readonly stream: string
  readonly records: readonly InputRecord[]
  readonly keys: readonly string[]
  /** Each key is also the record's ExplicitHashKey (check() let only decimal keys through). */
  readonly explicitHashKeys: boolean
}

export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

/** Where requests go: what the SDK resolved (scheme, host, port, path). */
export interface HttpEndpoint {
  readonly protocol: string
  readonly hostname: string
  readonly port?: number | undefined
  readonly path: string
}

export interface HttpPutRecordsOptions {
  readonly credentials: () => Promise<AwsCredentials>
  readonly region: () => Promise<string>
  /** Null until the SDK made its first call. */
  readonly endpoint: () => HttpEndpoint | null
  readonly connectTimeoutMs: number
  /** Keep-alive sockets per host: at least the producer's workers. */
  readonly maxSockets: number
  readonly clock: Clock
}

const TARGET = 'Kinesis_20131202.PutRecords'
const CONTENT_TYPE = 'application/x-amz-json-1.1'
const SERVICE = 'kinesis'

/** An error shaped like the AWS SDK's, for fromKinesisError. */
export class KinesisHttpError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number, readonly requestId?: string }
  readonly $fault: 'client' | 'server'

  constructor (name: string, message: string, status: number | undefined, requestId: string | undefined) {
    super(message)
    this.name = name
    this.$metadata = { ...(status === undefined ? {} : { httpStatusCode: status }), ...(requestId === undefined ? {} : { requestId }) }
    this.$fault = status !== undefined && status >= 500 ? 'server' : 'client'
  }
}

export class HttpPutRecords {
  readonly #o: HttpPutRecordsOptions
  readonly #agents = new Map<string, http.Agent>()
  readonly #signer = new SigV4Keys()

  constructor (options: HttpPutRecordsOptions) {
    this.#o = options
  }

  // Not async itself: the call (a string per record) is not kept while the request is out.
  putRecords (call: PutRecordsCall, signal: AbortSignal): Promise<PutRecordsAnswer> {
    const endpoint = this.#o.endpoint()
    if (endpoint === null) return Promise.reject(new KinesisHttpError('Error', 'no Kinesis endpoint known yet (the stream was not described)', undefined, undefined))
    return this.#post(endpoint, encodePutRecords(call), signal)
  }

  async #post (endpoint: HttpEndpoint, body: Buffer, signal: AbortSignal): Promise<PutRecordsAnswer> {
    const [credentials, region] = await Promise.all([this.#o.credentials(), this.#o.region()])
    const host = endpoint.port === undefined || endpoint.port === defaultPort(endpoint.protocol) ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`
    const headers = this.#signer.sign({ host, path: endpoint.path, body, credentials, region, at: new Date(this.#o.clock.now()) })
    return await this.#request(endpoint, headers, body, signal)
  }

  destroy (): void {
    for (const agent of this.#agents.values()) agent.destroy()
    this.#agents.clear()
  }

  #agent (endpoint: HttpEndpoint): http.Agent {
    let agent = this.#agents.get(endpoint.protocol)
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: this.#o.maxSockets }
      agent = endpoint.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options)
      this.#agents.set(endpoint.protocol, agent)
    }
    return agent
  }

  #request (endpoint: HttpEndpoint, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<PutRecordsAnswer> {
    const { clock, connectTimeoutMs } = this.#o
    const send = endpoint.protocol === 'https:' ? https.request : http.request
    return new Promise((resolve, reject) => {
      const req = send({
        method: 'POST',
        hostname: endpoint.hostname,
        port: endpoint.port,
        path: endpoint.path,
        headers: { ...headers, 'content-length': String(body.length) },
        agent: this.#agent(endpoint),
        signal
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          try {
            resolve(answer(res.statusCode ?? 0, res.headers, Buffer.concat(chunks)))
          } catch (err) {
            reject(err)
          }
        })
      })
      req.on('error', reject)
      req.on('socket', (socket) => {
        if (!socket.connecting) return
        // The same words as the SDK's handler, so a connect that never happened counts as never sent.
        const timer = clock.setTimeout(() => {
          req.destroy(new KinesisHttpError('TimeoutError', `the socket did not establish a connection within ${connectTimeoutMs} ms`, undefined, undefined))
        }, connectTimeoutMs)
        socket.once('connect', () => clock.clearTimeout(timer))
        socket.once('close', () => clock.clearTimeout(timer))
      })
      req.end(body)
    })
  }
}

function defaultPort (protocol: string): number {
  return protocol === 'https:' ? 443 : 80
}

/** The PutRecords answer, or the service's error as a KinesisHttpError. */
function answer (status: number, headers: http.IncomingHttpHeaders, body: Buffer): PutRecordsAnswer {
  const requestId = header(headers, 'x-amzn-requestid') ?? header(headers, 'x-amz-request-id')
  const $metadata = requestId === undefined ? {} : { requestId }
  const scanned = status === 200 ? scanPutRecordsAnswer(body) : null
  if (scanned !== null) {
    return {
      ...(scanned.failedRecordCount === undefined ? {} : { FailedRecordCount: scanned.failedRecordCount }),
      ...(scanned.encryptionType === undefined ? {} : { EncryptionType: scanned.encryptionType as EncryptionType }),
      entries: scanned.entries,
      $metadata
    }
  }
  let parsed: unknown
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'))
  } catch {
    const text = body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ')
    throw new KinesisHttpError(status === 200 ? 'Error' : `HTTP${status}`, `unreadable answer to PutRecords (HTTP ${status}): ${text}`, status, requestId)
  }
  const json = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
  if (status === 200) {
    return { ...(json as unknown as PutRecordsAnswer), $metadata }
  }
  // "__type": "ResourceNotFoundException" or "com.amazonaws.kinesis.v20131202#ResourceNotFoundException".
  const type = String(json.__type ?? header(headers, 'x-amzn-errortype') ?? `HTTP${status}`).split(':')[0] as string
  const name = type.slice(type.lastIndexOf('#') + 1)
  const message = String(json.message ?? json.Message ?? '')
  throw new KinesisHttpError(name, message, status, requestId)
}

function header (headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * The PutRecords request as JSON in one Buffer: each record's value is base64 straight from the
 * bytes it was read into (no view, no entry object), partition keys and the stream name JSON-escaped.
 */
export function encodePutRecords (call: PutRecordsCall): Buffer {
  const { records } = call
  const stream = JSON.stringify(call.stream)
  const keys = new Array<string>(records.length)
  let size = 32 + Buffer.byteLength(stream)
  for (let i = 0; i < records.length; i++) {
    const key = JSON.stringify(call.keys[i] ?? '')
    keys[i] = key
    size += 64 + Math.ceil(recordValueBytes(records[i]!) / 3) * 4 + (call.explicitHashKeys ? 6 : 3) * key.length
  }
  const body = Buffer.allocUnsafe(size)
  let at = body.write(`{"StreamName":${stream},"Records":[`, 0, 'utf8')
  for (let i = 0; i < records.length; i++) {
    at += body.write(i === 0 ? '{"Data":"' : ',{"Data":"', at, 'latin1')
    at += body.write(base64Value(records[i]!), at, 'latin1')
    at += body.write('","PartitionKey":', at, 'latin1')
    at += body.write(keys[i]!, at, 'utf8')
    if (call.explicitHashKeys) {
      at += body.write(',"ExplicitHashKey":', at, 'latin1')
      at += body.write(keys[i]!, at, 'utf8')
    }
    at += body.write('}', at, 'latin1')
  }
  at += body.write(']}', at, 'latin1')
  return body.subarray(0, at)
}

function base64Value (record: InputRecord): string {
  return record instanceof LineRecord ? record.bytes.toString('base64', record.valueStart, record.end) : record.value.toString('base64')
}

interface SignInput {
  readonly host: string
  readonly path: string
  readonly body: Buffer
  readonly credentials: AwsCredentials
  readonly region: string
  readonly at: Date
}

/** AWS Signature Version 4 for a JSON POST to Kinesis; the derived key is kept per day, region and secret. */
export class SigV4Keys {
  #cached: { readonly scope: string, readonly secret: string, readonly key: Buffer } | null = null

  /** The request headers, Authorization included. */
  sign (s: SignInput): Record<string, string> {
    const amzDate = s.at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
    const day = amzDate.slice(0, 8)
    const scope = `${day}/${s.region}/${SERVICE}/aws4_request`
    const token = s.credentials.sessionToken
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPE,
      host: s.host,
      'x-amz-date': amzDate,
      ...(token === undefined || token === '' ? {} : { 'x-amz-security-token': token }),
      'x-amz-target': TARGET
    }
    const names = Object.keys(headers).sort()
    const signed = names.join(';')
    const canonical = [
      'POST',
      s.path === '' ? '/' : s.path,
      '',
      ...names.map((n) => `${n}:${headers[n]!.trim()}`),
      '',
      signed,
      createHash('sha256').update(s.body).digest('hex')
    ].join('\n')
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`
    const signature = createHmac('sha256', this.#key(scope, day, s.region, s.credentials.secretAccessKey)).update(toSign).digest('hex')
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${s.credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`
    return headers
  }

  #key (scope: string, day: string, region: string, secret: string): Buffer {
    const c = this.#cached
    if (c !== null && c.scope === scope && c.secret === secret) return c.key
    const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), SERVICE), 'aws4_request')
    this.#cached = { scope, secret, key }
    return key
  }
}
