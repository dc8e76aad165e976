// Classification of Kinesis failures: which ones are retried, which ones may have been written,
// and how start-up failures are worded.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KprodError } from '../../../../src/errors.ts'
import { connectError, describeError, fromKinesisError, isFinalConnectError, putRecordsResult, recordError } from '../../../../src/transports/kinesis/errors.ts'
import { awsError, socketError } from '../../../helpers/fake-put-records.ts'

type Row = readonly [string, unknown, string, boolean, boolean]

test('fromKinesisError classifies request-level failures', () => {
  const rows: Row[] = [
    // name, error, code, retriable, maybeWritten
    ['ValidationException', awsError('ValidationException', '1 validation error'), 'KPROD_BROKER', false, false],
    ['InvalidArgumentException', awsError('InvalidArgumentException', 'bad'), 'KPROD_BROKER', false, false],
    ['ResourceNotFoundException', awsError('ResourceNotFoundException', 'Stream s not found'), 'KPROD_TARGET_NOT_FOUND', false, false],
    ['AccessDeniedException', awsError('AccessDeniedException', 'no'), 'KPROD_AUTH', false, false],
    ['UnrecognizedClientException', awsError('UnrecognizedClientException', 'bad token'), 'KPROD_AUTH', false, false],
    ['missing credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'KPROD_AUTH', false, false],
    ['ProvisionedThroughputExceededException', awsError('ProvisionedThroughputExceededException', 'Rate exceeded'), 'KPROD_THROTTLED', true, false],
    ['LimitExceededException', awsError('LimitExceededException', 'limit'), 'KPROD_THROTTLED', true, false],
    ['KMSThrottlingException', awsError('KMSThrottlingException', 'kms'), 'KPROD_THROTTLED', true, false],
    ['InternalFailure (HTTP 500)', awsError('InternalFailure', 'boom', 500, 'server'), 'KPROD_BROKER', true, true],
    ['503 without a known name', awsError('ServiceUnavailable', 'later', 503, 'server'), 'KPROD_BROKER', true, true],
    ['unreadable 502 from a proxy', awsError('SyntaxError', 'Unexpected token <', 502, 'client'), 'KPROD_BROKER', true, true],
    ['413', awsError('UnknownError', 'too large', 413), 'KPROD_RECORD_TOO_LARGE', false, false],
    ['other 4xx', awsError('SomethingNew', 'no', 400), 'KPROD_BROKER', false, false],
    ['ECONNREFUSED', socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4567'), 'KPROD_CONNECTION_LOST', true, false],
    ['ENOTFOUND', socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND kinesis.example'), 'KPROD_CONNECTION_LOST', true, false],
    ['connect timeout', Object.assign(new Error('the request socket did not establish a connection with the server within the configured timeout of 100 ms.'), { name: 'TimeoutError' }), 'KPROD_CONNECTION_LOST', true, false],
    ['ECONNRESET renamed TimeoutError', socketError('ECONNRESET', 'socket hang up', 'TimeoutError'), 'KPROD_CONNECTION_LOST', true, true],
    ['EPIPE', socketError('EPIPE', 'write EPIPE', 'TimeoutError'), 'KPROD_CONNECTION_LOST', true, true],
    ['HTTP/2 stream reset', new Error('HTTP/2 stream is abnormally aborted in mid-communication with result code 2.'), 'KPROD_CONNECTION_LOST', true, true],
    ['request timeout', socketError('ETIMEDOUT', 'a request has exceeded the configured 100 ms requestTimeout.', 'TimeoutError'), 'KPROD_REQUEST_TIMEOUT', true, true],
    ['HTTP/2 idle timeout', Object.assign(new Error('Stream timed out because of no activity for 100 ms'), { name: 'TimeoutError' }), 'KPROD_REQUEST_TIMEOUT', true, true],
    ['region missing', new Error('Region is missing'), 'KPROD_CONFIG', false, false],
    ['self-signed certificate', socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'KPROD_CONNECT', false, false],
    ['certificate for another host', socketError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'KPROD_CONNECT', false, false],
    ['expired certificate', socketError('CERT_HAS_EXPIRED', 'certificate has expired'), 'KPROD_CONNECT', false, false],
    ['certificate under the SDK\'s HTTP/2 stream cancel', Object.assign(socketError('ERR_HTTP2_STREAM_CANCEL', 'The pending stream has been canceled (caused by: self-signed certificate)'), { cause: socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate') }), 'KPROD_CONNECT', false, false],
    ['unknown error', new Error('something odd'), 'KPROD_BROKER', true, true],
    ['a thrown string', 'weird', 'KPROD_BROKER', true, true]
  ]
  for (const [name, err, code, retriable, maybeWritten] of rows) {
    const e = fromKinesisError(err)
    assert.deepEqual([e.code, e.retriable, e.maybeWritten], [code, retriable, maybeWritten], name)
  }
})

test('fromKinesisError keeps the service\'s error code as targetCode when the service answered, and none otherwise', () => {
  assert.equal(fromKinesisError(awsError('ProvisionedThroughputExceededException', 'Rate exceeded')).targetCode, 'ProvisionedThroughputExceededException')
  assert.equal(fromKinesisError(awsError('InternalFailure', 'boom', 500, 'server')).targetCode, 'InternalFailure')
  assert.equal(fromKinesisError(socketError('ECONNRESET', 'socket hang up', 'TimeoutError')).targetCode, null)
  assert.equal(fromKinesisError(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' })).targetCode, null)
  assert.equal(fromKinesisError(new Error('something odd')).targetCode, null)
})

test('fromKinesisError keeps a KprodError as it is', () => {
  const timeout = new KprodError('KPROD_REQUEST_TIMEOUT', 'no answer', { retriable: true, maybeWritten: true })
  assert.equal(fromKinesisError(timeout), timeout)
})

test('describeError gives name, message, HTTP status and request id of a service error', () => {
  assert.equal(describeError(awsError('ValidationException', '1 validation error')), 'ValidationException: 1 validation error (HTTP 400, request id rid-1)')
  assert.equal(describeError(socketError('ECONNRESET', 'socket hang up', 'TimeoutError')), 'socket hang up (ECONNRESET)')
  assert.equal(describeError(socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')), 'connect ECONNREFUSED 127.0.0.1:1')
  assert.equal(describeError(new Error('line one\n  line two')), 'line one line two')
})

test('recordError reads a failed PutRecords entry as "<ErrorCode>: <ErrorMessage>", never written', () => {
  const rows: [string, string, string, boolean][] = [
    ['ProvisionedThroughputExceededException', 'Rate exceeded for shard shardId-000000000001', 'KPROD_THROTTLED', true],
    ['InternalFailure', 'Internal service failure.', 'KPROD_BROKER', true],
    ['KMSThrottlingException', 'kms', 'KPROD_THROTTLED', true],
    ['KMSAccessDeniedException', 'denied', 'KPROD_AUTH', false],
    ['SomethingNew', 'later codes', 'KPROD_BROKER', true]
  ]
  for (const [errorCode, message, code, retriable] of rows) {
    const e = recordError(errorCode, message)
    assert.deepEqual([e.code, e.retriable, e.maybeWritten, e.message, e.targetCode], [code, retriable, false, `${errorCode}: ${message}`, errorCode], errorCode)
  }
  assert.equal(recordError('InternalFailure', undefined).message, 'InternalFailure')
})

test('putRecordsResult refuses an answer with a different number of entries, as maybe written', () => {
  const result = putRecordsResult({ FailedRecordCount: 0, Records: [{ ShardId: 'shardId-000000000000', SequenceNumber: '1' }] }, 2, () => ({ partition: 0, position: null }))
  assert.equal(result.records, null)
  assert.equal(result.error?.code, 'KPROD_BROKER')
  assert.equal(result.error?.retriable, false)
  assert.equal(result.error?.maybeWritten, true)
  assert.match(result.error?.message ?? '', /PutRecords answered 1 results for 2 records/)
})

const PLACE = { stream: 'logs', region: 'eu-west-1', endpoint: null }

test('connectError names the stream and region for each start-up failure', () => {
  const rows: [unknown, string, RegExp][] = [
    [awsError('ResourceNotFoundException', 'Stream logs not found'), 'KPROD_TARGET_NOT_FOUND', /^stream 'logs' does not exist in region eu-west-1 \(check --stream\)/],
    [awsError('AccessDeniedException', 'no'), 'KPROD_AUTH', /^not authorized for stream 'logs' in region eu-west-1/],
    [new Error('Region is missing'), 'KPROD_CONFIG', /set --region or AWS_REGION/],
    [socketError('ECONNREFUSED', 'connect ECONNREFUSED 1.2.3.4:443'), 'KPROD_CONNECT', /^cannot reach Kinesis stream 'logs' in region eu-west-1 within 5000 ms \(--connect-timeout\): connect ECONNREFUSED/],
    [socketError('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'), 'KPROD_CONNECT', /^cannot reach Kinesis stream 'logs' in region eu-west-1: TLS refused the endpoint's certificate: unable to get local issuer certificate \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\) \(check --endpoint; for a private CA, name its certificate in NODE_EXTRA_CA_CERTS\)$/]
  ]
  for (const [err, code, message] of rows) {
    const e = connectError(err, PLACE, 5000)
    assert.equal(e.code, code)
    assert.match(e.message, message)
  }
  const atEndpoint = connectError(socketError('ECONNREFUSED', 'refused'), { ...PLACE, endpoint: 'http://127.0.0.1:4567' }, 100)
  assert.match(atEndpoint.message, /at http:\/\/127\.0\.0\.1:4567 \(region eu-west-1\)/)
})

test('isFinalConnectError stops retries only for a missing stream, auth, configuration and a refused certificate', () => {
  assert.equal(isFinalConnectError(new KprodError('KPROD_TARGET_NOT_FOUND', 'x')), true)
  assert.equal(isFinalConnectError(new KprodError('KPROD_AUTH', 'x')), true)
  assert.equal(isFinalConnectError(new KprodError('KPROD_CONFIG', 'x')), true)
  assert.equal(isFinalConnectError(new KprodError('KPROD_CONNECT', 'x', { retriable: true })), false)
  assert.equal(isFinalConnectError(connectError(socketError('ECONNREFUSED', 'refused'), PLACE, 100)), false)
  assert.equal(isFinalConnectError(connectError(socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), PLACE, 100)), true)
})
