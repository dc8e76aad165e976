// Kinesis straight over HTTP(S), for --kinesis-client http. A PutRecords body is written as JSON
// into one Buffer from the records' bytes (kinesis/http/request-body.ts), signed with SigV4 here, and its
// answer scanned once for where its strings are (kinesis/http/response-parser.ts). The control-plane calls at
// start (DescribeStreamSummary, ListShards) are small signed JSON posts.
// Credentials, region and endpoint come from outside: from the environment (kinesis/http/env-settings.ts,
// the AWS SDK never loaded) or from the SDK's default chain (kinesis/sdk.ts). On 100-byte records
// the SDK's serializers, parsers and middleware were ~40 % of kprod's CPU and most of its garbage
// (bench/README.md). Errors come out shaped like the SDK's (name, $metadata, $fault; socket errors
// as node raises them, with their code), so kinesis/errors.ts classifies both clients alike.

import { createHash, createHmac } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { EncryptionType } from '@aws-sdk/client-kinesis'
import type { Clock } from '../../../util/clock.ts'
import { scanPutRecordsAnswer } from './response-parser.ts'
import type { PutRecordsAnswer } from '../errors.ts'
import { encodePutRecords, type PutRecordsCall } from './request-body.ts'

export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

/** Where requests go (scheme, host, port, path): from --endpoint, the region, or what the SDK resolved. */
export interface HttpEndpoint {
  readonly protocol: string
  readonly hostname: string
  readonly port?: number | undefined
  readonly path: string
}

export interface KinesisHttpOptions {
  readonly credentials: () => Promise<AwsCredentials>
  readonly region: () => Promise<string>
  /** Null while unknown (with the SDK: until its first call). */
  readonly endpoint: () => HttpEndpoint | null
  readonly connectTimeoutMs: number
  /** Keep-alive sockets per host: at least the producer's workers. */
  readonly maxSockets: number
  readonly clock: Clock
}

/** The Kinesis API version, which prefixes each operation in X-Amz-Target. */
const TARGET_PREFIX = 'Kinesis_20131202.'
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

/** The calls made at start, as JSON in and out. */
export type JsonOperation = 'DescribeStreamSummary' | 'ListShards'

interface RawAnswer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

export class KinesisHttpClient {
  readonly #o: KinesisHttpOptions
  readonly #agents = new Map<string, http.Agent>()
  readonly #signer = new SigV4Keys()

  constructor (options: KinesisHttpOptions) {
    this.#o = options
  }

  // Not async itself: the call (a string per record) is not kept while the request is out.
  putRecords (call: PutRecordsCall, signal: AbortSignal): Promise<PutRecordsAnswer> {
    const endpoint = this.#o.endpoint()
    if (endpoint === null) return Promise.reject(noEndpoint())
    return this.#post(endpoint, 'PutRecords', encodePutRecords(call), signal).then(putRecordsAnswer)
  }

  /** A control-plane call: its input as JSON, its answer parsed (the SDK's output shape). */
  async json<T> (operation: JsonOperation, input: object, signal: AbortSignal): Promise<T> {
    const endpoint = this.#o.endpoint()
    if (endpoint === null) throw noEndpoint()
    const raw = await this.#post(endpoint, operation, Buffer.from(JSON.stringify(input)), signal)
    return jsonAnswer(operation, raw) as T
  }

  async #post (endpoint: HttpEndpoint, operation: string, body: Buffer, signal: AbortSignal): Promise<RawAnswer> {
    const [credentials, region] = await Promise.all([this.#o.credentials(), this.#o.region()])
    const headers = this.#signer.sign({ host: hostHeader(endpoint), path: endpoint.path, target: TARGET_PREFIX + operation, body, credentials, region, at: new Date(this.#o.clock.now()) })
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

  #request (endpoint: HttpEndpoint, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<RawAnswer> {
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
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
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

function noEndpoint (): KinesisHttpError {
  return new KinesisHttpError('Error', 'no Kinesis endpoint known yet (the stream was not described)', undefined, undefined)
}

/** The Host header: the port only when it is not the scheme's own, an IPv6 address in brackets. */
export function hostHeader (endpoint: HttpEndpoint): string {
  const host = endpoint.hostname.includes(':') ? `[${endpoint.hostname}]` : endpoint.hostname
  return endpoint.port === undefined || endpoint.port === defaultPort(endpoint.protocol) ? host : `${host}:${endpoint.port}`
}

function defaultPort (protocol: string): number {
  return protocol === 'https:' ? 443 : 80
}

/** The PutRecords answer, or the service's error as a KinesisHttpError. */
function putRecordsAnswer ({ status, headers, body }: RawAnswer): PutRecordsAnswer {
  const scanned = status === 200 ? scanPutRecordsAnswer(body) : null
  if (scanned !== null) {
    const requestId = requestIdOf(headers)
    return {
      ...(scanned.failedRecordCount === undefined ? {} : { FailedRecordCount: scanned.failedRecordCount }),
      ...(scanned.encryptionType === undefined ? {} : { EncryptionType: scanned.encryptionType as EncryptionType }),
      entries: scanned.entries,
      $metadata: requestId === undefined ? {} : { requestId }
    }
  }
  return jsonAnswer('PutRecords', { status, headers, body }) as PutRecordsAnswer
}

/** A 200 answer's JSON with the SDK's $metadata, or the service's error as a KinesisHttpError. */
function jsonAnswer (operation: string, { status, headers, body }: RawAnswer): object {
  const requestId = requestIdOf(headers)
  let parsed: unknown
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'))
  } catch {
    const text = body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ')
    throw new KinesisHttpError(status === 200 ? 'Error' : `HTTP${status}`, `unreadable answer to ${operation} (HTTP ${status}): ${text}`, status, requestId)
  }
  const json = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
  if (status === 200) return { ...json, $metadata: requestId === undefined ? {} : { requestId } }
  // "__type": "ResourceNotFoundException" or "com.amazonaws.kinesis.v20131202#ResourceNotFoundException".
  const type = String(json.__type ?? header(headers, 'x-amzn-errortype') ?? `HTTP${status}`).split(':')[0] as string
  const name = type.slice(type.lastIndexOf('#') + 1)
  const message = String(json.message ?? json.Message ?? '')
  throw new KinesisHttpError(name, message, status, requestId)
}

function requestIdOf (headers: http.IncomingHttpHeaders): string | undefined {
  return header(headers, 'x-amzn-requestid') ?? header(headers, 'x-amz-request-id')
}

function header (headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

interface SignInput {
  readonly host: string
  readonly path: string
  /** X-Amz-Target: the API version and operation, e.g. Kinesis_20131202.PutRecords. */
  readonly target: string
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
      'x-amz-target': s.target
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
