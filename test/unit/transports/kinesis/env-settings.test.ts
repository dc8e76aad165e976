// When --kinesis-client http does without the AWS SDK: only when the SDK itself would take the
// credentials from the environment and reach the same endpoint. The endpoints are checked against
// the SDK's own endpoint rules; the emulator suites prove the client end to end
// (kinesis-http-client.test.ts without the SDK, kinesis-http-sdk-chain.test.ts with it).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KinesisClient } from '@aws-sdk/client-kinesis'
import { directSettings, parseEndpoint, regionEndpoint, type DirectChoice, type Env } from '../../../../src/transports/kinesis/http/env-settings.ts'
import { openKinesisClient } from '../../../../src/transports/kinesis/client.ts'
import { realClock } from '../../../../src/util/clock.ts'

const KEYS: Env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', HOME: '/home/u' }
const noConfig = (): null => null

function choose (env: Env, options: { region?: string | null, endpoint?: string | null } = {}, config: string | null = null): DirectChoice {
  return directSettings({ region: options.region ?? null, endpoint: options.endpoint ?? null }, env, () => config)
}

function reason (choice: DirectChoice): string {
  assert.ok('reason' in choice, `expected the SDK, got ${JSON.stringify(choice)}`)
  return choice.reason
}

test('credentials and region from the environment: every call without the SDK, to the region\'s endpoint', () => {
  const choice = choose({ ...KEYS, AWS_REGION: 'eu-west-1', AWS_SESSION_TOKEN: 'tok' })
  assert.ok('direct' in choice)
  assert.deepEqual(choice.direct.credentials, { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' })
  assert.equal(choice.direct.region, 'eu-west-1')
  assert.deepEqual(choice.direct.endpoint, { protocol: 'https:', hostname: 'kinesis.eu-west-1.amazonaws.com', path: '/' })
  assert.equal(choice.direct.note, '--kinesis-client http: credentials from AWS_ACCESS_KEY_ID in the environment, region eu-west-1 (AWS_REGION), endpoint https://kinesis.eu-west-1.amazonaws.com; the AWS SDK was not loaded')
})

test('--region wins over AWS_REGION and --endpoint over the region\'s endpoint, as in the SDK', () => {
  const choice = choose({ ...KEYS, AWS_REGION: 'eu-west-1' }, { region: 'us-east-2', endpoint: 'http://[::1]:4567/prefix' })
  assert.ok('direct' in choice)
  assert.equal(choice.direct.region, 'us-east-2')
  assert.deepEqual(choice.direct.endpoint, { protocol: 'http:', hostname: '::1', port: 4567, path: '/prefix' })
  assert.match(choice.direct.note, /region us-east-2 \(--region\), endpoint http:\/\/\[::1\]:4567\/prefix;/)
  assert.equal('sessionToken' in choice.direct.credentials, false)
})

test('anything the SDK would resolve differently goes to the SDK, with the reason', () => {
  const region = { ...KEYS, AWS_REGION: 'us-east-1' }
  assert.equal(reason(choose({ ...region, AWS_PROFILE: 'dev' })), 'AWS_PROFILE is set')
  assert.equal(reason(choose({ ...region, AWS_SECRET_ACCESS_KEY: '' })), 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set')
  assert.equal(reason(choose({ AWS_REGION: 'us-east-1' })), 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set')
  assert.equal(reason(choose(KEYS)), 'no region in --region or AWS_REGION')
  assert.equal(reason(choose(region, { region: 'Bad Region' })), "region 'Bad Region' is not a plain region name")
  assert.equal(reason(choose({ ...region, AWS_ENDPOINT_URL: 'http://localhost:4566' })), 'AWS_ENDPOINT_URL is set')
  assert.equal(reason(choose({ ...region, AWS_ENDPOINT_URL_KINESIS: 'http://localhost:4566' })), 'AWS_ENDPOINT_URL_KINESIS is set')
  assert.equal(reason(choose({ ...region, AWS_USE_FIPS_ENDPOINT: 'true' })), 'AWS_USE_FIPS_ENDPOINT is set')
  assert.equal(reason(choose({ ...region, AWS_USE_DUALSTACK_ENDPOINT: 'TRUE' })), 'AWS_USE_DUALSTACK_ENDPOINT is set')
  assert.equal(reason(choose({ ...KEYS, AWS_REGION: 'us-iso-east-1' })), "kprod does not know the endpoint of region 'us-iso-east-1'")
  assert.ok('direct' in choose({ ...region, AWS_USE_FIPS_ENDPOINT: 'false', AWS_PROFILE: '' }))
})

test('the shared config file: endpoint settings in it go to the SDK; a region or nothing does not', () => {
  const env = { ...KEYS, AWS_REGION: 'us-east-1' }
  assert.equal(reason(choose(env, {}, '[default]\nregion = eu-west-1\nendpoint_url = http://localhost:4566\n')), '/home/u/.aws/config sets endpoint_url')
  assert.equal(reason(choose({ ...env, AWS_CONFIG_FILE: '/etc/aws' }, {}, '[profile x]\n  use_fips_endpoint=true\n')), '/etc/aws sets use_fips_endpoint')
  assert.equal(reason(choose(env, {}, '[default]\nservices = local\n[services local]\nkinesis =\n  endpoint_url = http://x\n')), '/home/u/.aws/config sets services')
  assert.ok('direct' in choose(env, {}, '[default]\nregion = eu-west-1\noutput = json\n# endpoint_url = commented out\n'))
  const read: string[] = []
  assert.ok('direct' in directSettings({ region: null, endpoint: null }, env, (path) => { read.push(path); return null }))
  assert.deepEqual(read, ['/home/u/.aws/config'])
  const unreadable = directSettings({ region: null, endpoint: null }, env, () => { throw new Error('EACCES: permission denied') })
  assert.equal(reason(unreadable), '/home/u/.aws/config cannot be read (EACCES: permission denied)')
})

test('a region\'s endpoint is the one the SDK\'s endpoint rules give', () => {
  const sdk = new KinesisClient({ region: 'us-east-1' })
  const regions = ['us-east-1', 'us-west-2', 'eu-central-2', 'ap-southeast-5', 'ap-northeast-3', 'sa-east-1', 'ca-west-1',
    'me-central-1', 'af-south-1', 'il-central-1', 'mx-central-1', 'us-gov-west-1', 'us-gov-east-1', 'cn-north-1', 'cn-northwest-1']
  for (const region of regions) {
    const theirs = sdk.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false }).url
    const ours = regionEndpoint(region)
    assert.ok(ours !== null, region)
    assert.equal(`${ours.protocol}//${ours.hostname}${ours.path}`, theirs.href, region)
  }
  // Partitions with other endpoint forms are left to the SDK.
  for (const region of ['us-iso-east-1', 'us-isob-east-1', 'eusc-de-east-1']) assert.equal(regionEndpoint(region), null, region)
  sdk.destroy()
})

test('parseEndpoint takes scheme, host, port and path; anything else is not an endpoint', () => {
  assert.deepEqual(parseEndpoint('https://kinesis.local'), { protocol: 'https:', hostname: 'kinesis.local', port: undefined, path: '/' })
  assert.deepEqual(parseEndpoint('http://127.0.0.1:4567'), { protocol: 'http:', hostname: '127.0.0.1', port: 4567, path: '/' })
  assert.equal(parseEndpoint('ftp://x'), null)
  assert.equal(parseEndpoint('not a url'), null)
})

test('openKinesisClient: the SDK for --kinesis-client sdk, and said in the notes when http needs it', async () => {
  const options = { region: null, endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 1000, connectTimeoutMs: 100, lanes: 1, log: () => {}, clock: realClock }
  const env = { ...KEYS, AWS_REGION: 'us-east-1' }
  const sdk = await openKinesisClient({ ...options, putRecordsOver: 'sdk' }, env, noConfig)
  assert.deepEqual(sdk.notes, [])
  assert.equal(sdk.credentialsFrom, undefined)
  sdk.client.destroy()
  const direct = await openKinesisClient({ ...options, putRecordsOver: 'http' }, env, noConfig)
  assert.match(direct.notes[0] ?? '', /the AWS SDK was not loaded/)
  assert.equal(direct.credentialsFrom, 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment')
  assert.equal(await direct.client.region(), 'us-east-1')
  direct.client.destroy()
  const chain = await openKinesisClient({ ...options, putRecordsOver: 'http' }, { ...env, AWS_PROFILE: 'dev' }, noConfig)
  assert.deepEqual(chain.notes, ["--kinesis-client http: credentials, region and endpoint from the AWS SDK's default chain, because AWS_PROFILE is set"])
  chain.client.destroy()
})
