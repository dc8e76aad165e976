// When --kinesis-client http does without the AWS SDK: only when the SDK itself would take the
// credentials kprod can read and reach the same endpoint. The endpoints are checked against
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
  return directSettings({ region: options.region ?? null, endpoint: options.endpoint ?? null }, env, (path) => path.endsWith('config') || path === '/etc/aws' ? config : null)
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
  assert.equal(choice.direct.note, '--kinesis-client http: credentials from AWS_ACCESS_KEY_ID in the environment, region eu-west-1 (AWS_REGION), endpoint https://kinesis.eu-west-1.amazonaws.com (the region\'s); the AWS SDK was not loaded')
})

test('--region wins over AWS_REGION and --endpoint over the region\'s endpoint, as in the SDK', () => {
  const choice = choose({ ...KEYS, AWS_REGION: 'eu-west-1' }, { region: 'us-east-2', endpoint: 'http://[::1]:4567/prefix' })
  assert.ok('direct' in choice)
  assert.equal(choice.direct.region, 'us-east-2')
  assert.deepEqual(choice.direct.endpoint, { protocol: 'http:', hostname: '::1', port: 4567, path: '/prefix' })
  assert.match(choice.direct.note, /region us-east-2 \(--region\), endpoint http:\/\/\[::1\]:4567\/prefix \(--endpoint\);/)
  assert.equal('sessionToken' in choice.direct.credentials, false)
})

test('anything only the SDK can resolve goes to the SDK, with the reason', () => {
  const region = { ...KEYS, AWS_REGION: 'us-east-1' }
  assert.equal(reason(choose({ ...region, AWS_SECRET_ACCESS_KEY: '' })), 'neither the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) nor the default profile has keys')
  assert.equal(reason(choose(KEYS)), 'no region in --region, AWS_REGION or the profile')
  assert.equal(reason(choose(region, { region: 'Bad Region' })), "region 'Bad Region' is not a plain region name")
  assert.equal(reason(choose({ ...region, AWS_USE_FIPS_ENDPOINT: 'true' })), 'AWS_USE_FIPS_ENDPOINT is set')
  assert.equal(reason(choose({ ...region, AWS_USE_DUALSTACK_ENDPOINT: 'TRUE' })), 'AWS_USE_DUALSTACK_ENDPOINT is set')
  assert.equal(reason(choose({ ...KEYS, AWS_REGION: 'us-iso-east-1' })), "kprod does not know the endpoint of region 'us-iso-east-1'")
  assert.equal(reason(choose({ ...region, AWS_PROFILE: 'dev' }, {}, '[profile dev]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n')), "profile 'dev' (AWS_PROFILE) has role_arn")
  assert.equal(reason(choose({ ...region, AWS_PROFILE: 'dev' }, {}, '[profile dev]\nregion = eu-west-1\n')), "profile 'dev' (AWS_PROFILE) has no keys")
  assert.equal(reason(choose(region, {}, '[profile x]\nregion = eu-west-1\n[default]\n  use_fips_endpoint=true\n')), "use_fips_endpoint in profile 'default' in /home/u/.aws/config is set")
  assert.ok('direct' in choose({ ...region, AWS_USE_FIPS_ENDPOINT: 'false', AWS_PROFILE: '' }))
})

test('AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL and the profile\'s endpoints are kprod\'s to use, in the SDK\'s order', () => {
  const env = { ...KEYS, AWS_REGION: 'us-east-1' }
  const endpointOf = (choice: DirectChoice): string => {
    assert.ok('direct' in choice, JSON.stringify(choice))
    return `${choice.direct.endpoint.hostname}:${String(choice.direct.endpoint.port)} ${/endpoint \S+ \(([^)]*)\)/.exec(choice.direct.note)?.[1] ?? ''}`
  }
  const services = '[default]\nendpoint_url = http://127.0.0.1:4\nservices = local\n[services local]\nkinesis =\n  endpoint_url = http://127.0.0.1:3\n'
  assert.equal(endpointOf(choose({ ...env, AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }, {}, services)), '127.0.0.1:1 AWS_ENDPOINT_URL_KINESIS')
  assert.equal(endpointOf(choose({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }, {}, services)), '127.0.0.1:2 AWS_ENDPOINT_URL')
  assert.equal(endpointOf(choose(env, {}, services)), '127.0.0.1:3 [services local] kinesis endpoint_url in /home/u/.aws/config')
  assert.equal(endpointOf(choose(env, {}, '[default]\nendpoint_url = http://127.0.0.1:4\n')), "127.0.0.1:4 endpoint_url of profile 'default' in /home/u/.aws/config")
  assert.equal(endpointOf(choose({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }, { endpoint: 'http://127.0.0.1:9' }, services)), '127.0.0.1:9 --endpoint')
  assert.equal(endpointOf(choose({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, {}, services)), "kinesis.us-east-1.amazonaws.com:undefined the region's")
  assert.ok('direct' in choose(env, {}, '[default]\nregion = eu-west-1\noutput = json\n# endpoint_url = commented out\n'))
  const read: string[] = []
  assert.ok('direct' in directSettings({ region: null, endpoint: null }, env, (path) => { read.push(path); return null }))
  assert.deepEqual(read, ['/home/u/.aws/config', '/home/u/.aws/credentials'])
  assert.throws(() => directSettings({ region: null, endpoint: null }, env, () => { throw new Error('EACCES: permission denied') }),
    { name: 'ConfigError', message: /\/home\/u\/.aws\/config cannot be read: EACCES: permission denied/ })
  assert.throws(() => choose({ ...env, AWS_ENDPOINT_URL: 'localhost:4566' }), { message: /AWS_ENDPOINT_URL: 'localhost:4566' is not an http:\/\/ or https:\/\/ URL/ })
})

test('a profile with static keys: the SDK is not needed, and the notes say which file and profile', () => {
  const files: Record<string, string> = {
    '/home/u/.aws/credentials': '[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret\naws_session_token = devtoken\n',
    '/home/u/.aws/config': '[profile dev]\nregion = eu-north-1\n[default]\nregion = us-west-2\n'
  }
  const read = (path: string): string | null => files[path] ?? null
  // AWS_PROFILE wins over the environment's keys, as in the SDK's default chain.
  const viaEnv = directSettings({ region: null, endpoint: null }, { ...KEYS, AWS_PROFILE: 'dev', HOME: '/home/u' }, read)
  assert.ok('direct' in viaEnv)
  assert.deepEqual(viaEnv.direct.credentials, { accessKeyId: 'DEVKEY', secretAccessKey: 'devsecret', sessionToken: 'devtoken' })
  assert.equal(viaEnv.direct.region, 'eu-north-1')
  assert.equal(viaEnv.direct.note, "--kinesis-client http: credentials from aws_access_key_id of profile 'dev' in /home/u/.aws/credentials, profile dev (AWS_PROFILE), region eu-north-1 (profile 'dev' in /home/u/.aws/config), endpoint https://kinesis.eu-north-1.amazonaws.com (the region's); the AWS SDK was not loaded")
  // --profile wins over AWS_PROFILE; without a profile named, the environment's keys and the default profile's region.
  const viaFlag = directSettings({ profile: 'dev', region: null, endpoint: null }, { AWS_PROFILE: 'other', HOME: '/home/u' }, read)
  assert.ok('direct' in viaFlag)
  assert.match(viaFlag.direct.note, /profile dev \(--profile\)/)
  const plain = directSettings({ region: null, endpoint: null }, KEYS, read)
  assert.ok('direct' in plain)
  assert.equal(plain.direct.credentials.accessKeyId, 'AKID')
  assert.equal(plain.direct.region, 'us-west-2')
  // A profile named but found nowhere is a configuration error (exit 2), as in the AWS CLI.
  assert.throws(() => directSettings({ profile: 'nope', region: null, endpoint: null }, { HOME: '/home/u' }, read),
    { name: 'ConfigError', message: /--profile: profile 'nope' is in neither \/home\/u\/.aws\/config nor \/home\/u\/.aws\/credentials/ })
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
  assert.deepEqual(sdk.notes, ['AWS SDK: credentials from AWS_ACCESS_KEY_ID in the environment, region us-east-1 (AWS_REGION), endpoint http://127.0.0.1:1 (--endpoint)'])
  assert.equal(sdk.credentialsFrom, 'AWS_ACCESS_KEY_ID in the environment')
  sdk.client.destroy()
  const direct = await openKinesisClient({ ...options, putRecordsOver: 'http' }, env, noConfig)
  assert.match(direct.notes[0] ?? '', /the AWS SDK was not loaded/)
  assert.equal(direct.credentialsFrom, 'AWS_ACCESS_KEY_ID in the environment')
  assert.equal(await direct.client.region(), 'us-east-1')
  direct.client.destroy()
  const role = (path: string): string | null => path.endsWith('config') ? '[profile dev]\nrole_arn = arn:aws:iam::1:role/x\n' : null
  const chain = await openKinesisClient({ ...options, putRecordsOver: 'http' }, { ...env, AWS_PROFILE: 'dev' }, role)
  assert.deepEqual(chain.notes, ["--kinesis-client http: PutRecords signed by kprod, the other calls through the AWS SDK because profile 'dev' (AWS_PROFILE) has role_arn; credentials from the AWS SDK's default chain (profile 'dev' (AWS_PROFILE) has role_arn), profile dev (AWS_PROFILE), region us-east-1 (AWS_REGION), endpoint http://127.0.0.1:1 (--endpoint)"])
  chain.client.destroy()
})
