// AWS settings read as the AWS CLI and SDK read them, proven on both emulators with both clients:
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KINESIS with no --endpoint (http:// over HTTP/1.1: the
// SDK's default HTTP/2 handler failed here with ERR_HTTP2_ERROR), --profile and AWS_PROFILE with
// keys, region and a services section in a temporary AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE,
// the summary's notes saying where each came from, and an unknown profile refused with exit 2.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod, why } from '../helpers/cli.ts'
import { localKinesis, privateKinesisFixture, readStream, type KinesisImpl } from '../helpers/kinesis.ts'

const { work } = privateKinesisFixture('kinesis-aws-config')
const IMPLS: readonly KinesisImpl[] = ['kinesalite', 'kinesis-mock']
const CLIENTS = ['sdk', 'http'] as const
const SLOW = { timeout: 180_000 }
// Nothing of the test runner's own AWS settings leaks into a run: each case sets what it means.
const CLEAN: Record<string, string> = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_REGION: '',
  AWS_DEFAULT_REGION: '',
  AWS_PROFILE: '',
  AWS_ENDPOINT_URL: '',
  AWS_ENDPOINT_URL_KINESIS: '',
  AWS_CONFIG_FILE: join(work, 'none-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(work, 'none-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true'
}
// A port nothing listens on: a run that went there would fail to connect.
const NOWHERE = 'http://127.0.0.1:9'

function lines (n: number, tag: string): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => `${tag} line ${i}\n`).join(''))
}

async function putAndCheck (impl: KinesisImpl, stream: string, args: readonly string[], env: Record<string, string>, note: RegExp): Promise<void> {
  const kinesis = await localKinesis(impl)
  const tag = `${args.join(' ')} ${JSON.stringify(env)}`
  const run = await kprod(['--stream', stream, '--no-progress', ...args], { input: lines(50, tag), env: { ...CLEAN, ...env }, timeoutMs: 120_000 })
  assert.equal(run.code, 0, why(run))
  assert.equal((run.summary.counts as { delivered: number }).delivered, 50)
  const notes = run.summary.notes as string[]
  assert.ok(notes.some((n) => note.test(n)), `notes ${JSON.stringify(notes)} do not match ${String(note)}`)
  const stored = (await readStream(kinesis.endpoint, stream)).map((r) => r.data.toString()).filter((d) => d.startsWith(tag))
  assert.equal(stored.length, 50)
}

describe('AWS settings as the AWS CLI reads them', () => {
  for (const impl of IMPLS) {
    for (const client of CLIENTS) {
      const say = client === 'http' ? '--kinesis-client http: ' : 'AWS SDK: '
      test(`${impl}, --kinesis-client ${client}: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KINESIS, no --endpoint`, SLOW, async () => {
        const kinesis = await localKinesis(impl)
        const stream = await kinesis.createStream({ shards: 2 })
        const keys = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' }
        await putAndCheck(impl, stream, ['--kinesis-client', client], { ...keys, AWS_ENDPOINT_URL: kinesis.endpoint },
          new RegExp(`^${say}credentials from AWS_ACCESS_KEY_ID in the environment, region us-east-1 \\(AWS_REGION\\), endpoint ${kinesis.endpoint} \\(AWS_ENDPOINT_URL\\)`))
        // The service's own variable wins over the global one, which points nowhere.
        await putAndCheck(impl, stream, ['--kinesis-client', client], { ...keys, AWS_ENDPOINT_URL: NOWHERE, AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint },
          new RegExp(`endpoint ${kinesis.endpoint} \\(AWS_ENDPOINT_URL_KINESIS\\)`))
      })

      test(`${impl}, --kinesis-client ${client}: --profile and AWS_PROFILE from temporary shared files`, SLOW, async () => {
        const kinesis = await localKinesis(impl)
        const stream = await kinesis.createStream({ shards: 2 })
        const config = join(work, `config-${impl}-${client}`)
        const credentials = join(work, `credentials-${impl}-${client}`)
        writeFileSync(config, [
          '[default]', 'region = eu-west-3', `endpoint_url = ${NOWHERE}`,
          '[profile emu]', 'region = us-east-1', 'services = local-emu', `endpoint_url = ${NOWHERE}`,
          '[services local-emu]', 'kinesis =', `  endpoint_url = ${kinesis.endpoint}`, ''
        ].join('\n'))
        writeFileSync(credentials, '[emu]\naws_access_key_id = test\naws_secret_access_key = test\n')
        const files = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials }
        const from = `credentials from aws_access_key_id of profile 'emu' in ${credentials}, profile emu \\(--profile\\), region us-east-1 \\(profile 'emu' in ${config}\\), endpoint ${kinesis.endpoint} \\(\\[services local-emu\\] kinesis endpoint_url in ${config}\\)`
        await putAndCheck(impl, stream, ['--kinesis-client', client, '--profile', 'emu'], files, new RegExp(`^${say}${from}`))
        // AWS_PROFILE names it too, and wins over keys in the environment, as in the SDK.
        await putAndCheck(impl, stream, ['--kinesis-client', client], { ...files, AWS_PROFILE: 'emu', AWS_ACCESS_KEY_ID: 'other', AWS_SECRET_ACCESS_KEY: 'other' },
          /profile emu \(AWS_PROFILE\)/)
      })
    }
  }

  test('a profile found in neither file is a configuration error, exit 2, naming both files', SLOW, async () => {
    const run = await kprod(['--stream', 's', '--profile', 'nope', '--no-progress'], { input: 'a\n', env: CLEAN })
    assert.equal(run.code, 2, why(run))
    assert.match(run.stderr, new RegExp(`--profile: profile 'nope' is in neither ${join(work, 'none-config')} nor ${join(work, 'none-credentials')}`))
    assert.equal(run.stdout, '')
  })
})
