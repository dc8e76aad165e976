// What Kinesis answers means for kprod: AWS SDK and socket errors as KprodError (retriable? may the
// request have been applied, making the outcome 'unknown'?) and PutRecords responses as per-record
// results read by index. Failed entries of a response were not written: AWS documents them as rejected.

import type { PutRecordsOutput } from '@aws-sdk/client-kinesis'
import { KprodError, type ErrorCode } from '../../errors.ts'
import { parsedEntries, type PutRecordsEntries } from './http/response-parser.ts'
import type { DeliveredRun, RecordPosition, RecordResult, SendResult } from '../transport.ts'

/** Whole-request throttling: retriable, nothing written. */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException',
  'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException'
])

/** Errors no retry can fix. */
const FINAL = new Map<string, ErrorCode>([
  ['AccessDeniedException', 'KPROD_AUTH'],
  ['KMSAccessDeniedException', 'KPROD_AUTH'],
  ['UnrecognizedClientException', 'KPROD_AUTH'],
  ['InvalidSignatureException', 'KPROD_AUTH'],
  ['IncompleteSignature', 'KPROD_AUTH'],
  ['MissingAuthenticationToken', 'KPROD_AUTH'],
  ['InvalidClientTokenId', 'KPROD_AUTH'],
  ['ExpiredTokenException', 'KPROD_AUTH'],
  ['ExpiredToken', 'KPROD_AUTH'],
  ['CredentialsProviderError', 'KPROD_AUTH'],
  ['ResourceNotFoundException', 'KPROD_TARGET_NOT_FOUND'],
  ['ValidationException', 'KPROD_BROKER'],
  ['InvalidArgumentException', 'KPROD_BROKER'],
  ['SerializationException', 'KPROD_BROKER'],
  ['DryRunOperationException', 'KPROD_BROKER'],
  ['KMSDisabledException', 'KPROD_BROKER'],
  ['KMSInvalidStateException', 'KPROD_BROKER'],
  ['KMSNotFoundException', 'KPROD_BROKER'],
  ['KMSOptInRequired', 'KPROD_BROKER']
])

/** Socket errors raised before the request could leave: nothing was written. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN'])
/** The NodeHttpHandler's connect timeout (the socket never connected). */
const NEVER_CONNECTED = /did not establish a connection/
/** A connection lost after the request may have gone out. */
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED'])
const LOST = /socket hang up|ERR_HTTP2|stream is abnormally aborted|has failed with code/i
const REGION_MISSING = /Region is missing/i
/** Node's codes for a certificate the TLS handshake refused: found before any request byte was sent. */
const CERTIFICATE_REFUSED = /CERT|CRL|ALTNAME|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE/

interface AwsLikeError {
  name?: string
  message?: string
  code?: string
  $fault?: string
  $metadata?: { httpStatusCode?: number, requestId?: string }
}

function causeCode (err: unknown): string {
  const cause = (fields(err) as { cause?: unknown }).cause
  return fields(cause).code ?? ''
}

function fields (err: unknown): AwsLikeError {
  return typeof err === 'object' && err !== null ? err as AwsLikeError : { message: String(err) }
}

/** "Name: message", with the HTTP status and request id when the service answered. */
export function describeError (err: unknown): string {
  const e = fields(err)
  const message = (e.message ?? '').replace(/\s*\n\s*/g, ' ')
  const status = e.$metadata?.httpStatusCode
  if (status === undefined && e.code !== undefined) {
    // A socket error: its code says more than the name (the NodeHttpHandler calls ECONNRESET a TimeoutError).
    return message.includes(e.code) ? message : `${message} (${e.code})`
  }
  const name = e.name ?? 'Error'
  const text = message === '' ? name : name === 'Error' ? message : `${name}: ${message}`
  if (status === undefined) return text
  const id = e.$metadata?.requestId
  return `${text} (HTTP ${status}${id === undefined ? '' : `, request id ${id}`})`
}

/** A request-level failure of one call (PutRecords, DescribeStreamSummary, ListShards) as a KprodError. */
export function fromKinesisError (err: unknown): KprodError {
  if (err instanceof KprodError) return err
  const e = fields(err)
  const message = describeError(err)
  const name = e.name ?? ''
  const code = e.code ?? ''
  const text = e.message ?? ''
  // The service's error code, when the service answered (a socket error's name is the client's).
  const targetCode = e.$metadata?.httpStatusCode === undefined || name === 'Error' ? undefined : name
  const make = (c: ErrorCode, retriable: boolean, maybeWritten: boolean): KprodError =>
    new KprodError(c, message, { retriable, maybeWritten, targetCode, cause: err })
  if (NEVER_SENT_CODES.has(code) || NEVER_CONNECTED.test(text)) return make('KPROD_CONNECTION_LOST', true, false)
  // Trying again meets the same certificate. The SDK's HTTP/2 handler puts node's error in `cause`.
  if (CERTIFICATE_REFUSED.test(code) || CERTIFICATE_REFUSED.test(causeCode(err))) return make('KPROD_CONNECT', false, false)
  // The NodeHttpHandler renames ECONNRESET and EPIPE to TimeoutError, so codes come before names.
  if (LOST_CODES.has(code) || LOST.test(text) || LOST.test(code)) return make('KPROD_CONNECTION_LOST', true, true)
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') return make('KPROD_REQUEST_TIMEOUT', true, true)
  if (THROTTLED.has(name)) return make('KPROD_THROTTLED', true, false)
  const final = FINAL.get(name)
  if (final !== undefined) return make(final, false, false)
  if (REGION_MISSING.test(text)) return make('KPROD_CONFIG', false, false)
  const status = e.$metadata?.httpStatusCode
  if (status === 413) return make('KPROD_RECORD_TOO_LARGE', false, false)
  // A 5xx may come after the service applied the request (InternalFailure, a proxy's 502).
  if ((status !== undefined && status >= 500) || e.$fault === 'server') return make('KPROD_BROKER', true, true)
  if (status !== undefined && status >= 400) return make('KPROD_BROKER', false, false)
  // Anything else (an unreadable answer, an unknown client error) may follow a request that was applied.
  return make('KPROD_BROKER', true, true)
}

/** One failed entry of a PutRecords response: "<ErrorCode>: <ErrorMessage>". Never written. */
export function recordError (errorCode: string, errorMessage: string | undefined): KprodError {
  const message = errorMessage === undefined || errorMessage === '' ? errorCode : `${errorCode}: ${errorMessage}`
  if (THROTTLED.has(errorCode)) {
    return new KprodError('KPROD_THROTTLED', message, { retriable: true, targetCode: errorCode })
  }
  const final = FINAL.get(errorCode)
  if (final !== undefined) return new KprodError(final, message, { targetCode: errorCode })
  // InternalFailure and any code AWS may add later: the record was rejected, so another attempt is safe.
  return new KprodError('KPROD_BROKER', message, { retriable: true, targetCode: errorCode })
}

/** Where the stream was looked for, for messages: "in region r" or "at <endpoint> (region r)". */
export interface StreamPlace {
  readonly stream: string
  readonly region: string | null
  readonly endpoint: string | null
  /** Where the credentials come from, e.g. "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"; null: the SDK's default chain. */
  readonly credentialsFrom?: string | null
}

export function placeText (p: StreamPlace): string {
  const region = p.region ?? '(default region)'
  return p.endpoint === null ? `in region ${region}` : `at ${p.endpoint} (region ${region})`
}

/** Errors at start: reaching Kinesis, credentials, finding the stream. */
export function connectError (err: unknown, place: StreamPlace, timeoutMs: number): KprodError {
  if (err instanceof KprodError && isFinalConnectError(err)) return err
  const e = fromKinesisError(err)
  const where = placeText(place)
  if (e.code === 'KPROD_TARGET_NOT_FOUND') {
    return new KprodError('KPROD_TARGET_NOT_FOUND', `stream '${place.stream}' does not exist ${where} (check --stream): ${e.message}`, { cause: err })
  }
  if (e.code === 'KPROD_AUTH') {
    return new KprodError('KPROD_AUTH', `not authorized for stream '${place.stream}' ${where} (credentials come from ${place.credentialsFrom ?? "the AWS SDK's default chain"}): ${e.message}`, { cause: err })
  }
  if (e.code === 'KPROD_CONFIG') {
    return new KprodError('KPROD_CONFIG', `no AWS region for stream '${place.stream}': set --region or AWS_REGION: ${e.message}`, { cause: err })
  }
  if (e.code === 'KPROD_CONNECT') {
    return new KprodError('KPROD_CONNECT', `cannot reach Kinesis stream '${place.stream}' ${where}: TLS refused the endpoint's certificate: ${e.message} (check --endpoint; for a private CA, name its certificate in NODE_EXTRA_CA_CERTS)`, { cause: err })
  }
  return new KprodError('KPROD_CONNECT', `cannot reach Kinesis stream '${place.stream}' ${where} within ${timeoutMs} ms (--connect-timeout): ${e.message}`, { retriable: true, cause: err })
}

/** True when trying again at start cannot help: a missing stream, no authorization, no region, a refused certificate. */
export function isFinalConnectError (err: KprodError): boolean {
  return err.code === 'KPROD_TARGET_NOT_FOUND' || err.code === 'KPROD_AUTH' || err.code === 'KPROD_CONFIG' || (err.code === 'KPROD_CONNECT' && !err.retriable)
}

/**
 * A PutRecords answer; `$metadata` is the SDK's. `entries`, when there, stands for `Records`: the
 * entries as --kinesis-client http scanned them, without an object per entry.
 */
export type PutRecordsAnswer = Omit<PutRecordsOutput, 'Records'> & {
  readonly Records?: PutRecordsOutput['Records']
  readonly entries?: PutRecordsEntries
  readonly $metadata?: { readonly requestId?: string }
}

/** Turns a success's shard and sequence number into a position. */
export type PositionOf = (shardId: string | undefined, sequence: string | undefined) => RecordPosition

/**
 * Per-record results of an answer for `n` records, by index (AWS answers one entry per request
 * record, in request order): one run when no entry failed, else one result per record.
 * The response holds counts only: per-record positions travel in the results.
 */
export function putRecordsResult (out: PutRecordsAnswer, n: number, at: PositionOf): SendResult {
  const entries = out.entries ?? parsedEntries(out.Records ?? [])
  const codes = new Map<string, number>()
  let records: RecordResult[] | DeliveredRun | null = null
  if (entries.length === n) records = anyFailed(entries) ? eachResult(entries, at, codes) : new EntryRun(entries, at)
  const response = {
    failedRecordCount: out.FailedRecordCount ?? null,
    records: n,
    errorCodes: Object.fromEntries(codes),
    encryptionType: out.EncryptionType ?? null,
    requestId: out.$metadata?.requestId ?? null
  }
  if (records !== null) return { response, error: null, records }
  // Some records may be in the stream and which ones is unknown: another attempt could duplicate them.
  const error = new KprodError('KPROD_BROKER', `PutRecords answered ${entries.length} results for ${n} records`, { maybeWritten: true })
  return { response, error, records: null }
}

function anyFailed (entries: PutRecordsEntries): boolean {
  for (let i = 0; i < entries.length; i++) if (entries.failed(i)) return true
  return false
}

// One result per record, counting the error codes into `codes`.
function eachResult (entries: PutRecordsEntries, at: PositionOf, codes: Map<string, number>): RecordResult[] {
  const records = new Array<RecordResult>(entries.length)
  for (let i = 0; i < entries.length; i++) {
    if (entries.failed(i)) {
      const code = entries.errorCode(i) as string
      codes.set(code, (codes.get(code) ?? 0) + 1)
      records[i] = { ok: false, error: recordError(code, entries.errorMessage(i)) }
    } else {
      records[i] = { ok: true, at: at(entries.shardId(i), entries.sequenceNumber(i)) }
    }
  }
  return records
}

// Every entry of an answer delivered: positions are made from the entries only when read.
class EntryRun implements DeliveredRun {
  readonly kind = 'run' as const
  readonly count: number
  readonly #entries: PutRecordsEntries
  readonly #at: PositionOf

  constructor (entries: PutRecordsEntries, at: PositionOf) {
    this.count = entries.length
    this.#entries = entries
    this.#at = at
  }

  at (k: number): RecordPosition {
    return this.#at(this.#entries.shardId(k), this.#entries.sequenceNumber(k))
  }

  shardId (k: number): string | undefined {
    return this.#entries.shardId(k)
  }
}
