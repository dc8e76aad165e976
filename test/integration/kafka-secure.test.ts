// TLS and SASL against a real broker with secure listeners (scripts/local-kafka up --secure), on
// both Kafka clients: each mechanism delivers what kcat then reads back over the plaintext
// listener, and each failure (untrusted certificate, hostname mismatch, TLS/plaintext mismatch,
// wrong password, bad token, no Write ACL) ends the run with its exit code and a message naming
// the fix, at once, with no secret anywhere in the output.

import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { kprod, type CliRun } from '../helpers/cli.ts'
import { consumeAll, secureKafka, type SecureCluster } from '../helpers/kafka.ts'
import { oidcServer, type OidcServer } from '../helpers/oidc-server.ts'

const exec = promisify(execFile)
let kafka: SecureCluster
/** A topic for runs that must fail before sending: made once, topic creation starts a JVM. */
let unused: string
const dir = mkdtempSync(join(tmpdir(), 'kprod-secure-'))
before(async () => {
  kafka = await secureKafka()
  unused = await kafka.topic()
}, { timeout: 300_000 })
after(async () => { await kafka?.down() })

const L = (name: string): string => {
  const v = kafka.listeners[name]
  assert.ok(v !== undefined, `listener ${name} missing from scripts/local-kafka listeners`)
  return v
}
const counts = (run: CliRun): Record<string, number> => run.summary.counts as Record<string, number>
const lines = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('')
const SECRETS = ['alice-secret', 'bob-secret', 'wrong-Pa55word-x9', 'client-key-pass']

/** The no-secret rule: no password shows in stdout, stderr or the --failed-output file. */
function assertNoSecret (run: CliRun, failedOutput?: string): void {
  const all = run.stdout + run.stderr + (failedOutput === undefined ? '' : readFileSync(failedOutput, 'utf8'))
  for (const s of SECRETS) assert.ok(!all.includes(s), `the secret '${s}' was printed`)
}

/** An unsigned JWS the broker's unsecured validator accepts (test clusters only). */
function unsecuredToken (sub: string, lifetimeS = 3600): string {
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  return `${b64({ alg: 'none' })}.${b64({ sub, iat: now, exp: now + lifetimeS })}.`
}

async function readBack (topic: string): Promise<string[]> {
  return (await consumeAll(L('PLAINTEXT'), topic)).map((r) => r.value.toString())
}

for (const client of ['wire', 'kafkajs'] as const) {
  describe(`--kafka-client ${client}`, () => {
    const base = (brokers: string, topic: string): string[] => ['--kafka-client', client, '--brokers', brokers, '--topic', topic, '--no-progress', '--connect-timeout', '20000']
    const tls = (): string[] => ['--ssl-ca', L('CA_FILE')]

    test('SSL with --ssl-ca delivers every line', async () => {
      const topic = await kafka.topic()
      const run = await kprod([...base(L('SSL'), topic), '--security-protocol', 'ssl', ...tls()], { input: lines(50, 'ssl') })
      assert.equal(run.code, 0, run.stderr)
      assert.equal((await readBack(topic)).length, 50)
    })

    test('mTLS with an encrypted client key delivers; the key password is never printed', async () => {
      const topic = await kafka.topic()
      const run = await kprod([...base(L('MTLS'), topic), '--security-protocol', 'ssl', ...tls(),
        '--ssl-cert', L('CLIENT_CERT_FILE'), '--ssl-key', L('CLIENT_KEY_FILE'), '--ssl-key-password', L('CLIENT_KEY_PASSWORD')], { input: lines(10, 'mtls') })
      assert.equal(run.code, 0, run.stderr)
      assert.equal((await readBack(topic)).length, 10)
      assertNoSecret(run)
    })

    test('an untrusted certificate ends the run at start: exit 3, names --ssl-ca, no retries', async () => {
      const topic = unused
      const started = Date.now()
      const run = await kprod([...base(L('SSL'), topic), '--security-protocol', 'ssl'], { input: 'x\n' })
      assert.equal(run.code, 3, run.stderr)
      assert.match(String(run.summary.error), /certificate of broker 127\.0\.0\.1:\d+ is not trusted.*--ssl-ca/)
      assert.ok(Date.now() - started < 15_000, 'retried until --connect-timeout')
    })

    test('a hostname mismatch ends the run at start: exit 3, names --ssl-no-hostname-check', async () => {
      const topic = unused
      const started = Date.now()
      const run = await kprod([...base(L('NOSAN'), topic), '--security-protocol', 'ssl', ...tls()], { input: 'x\n' })
      assert.equal(run.code, 3, run.stderr)
      assert.match(String(run.summary.error), /hostname mismatch.*--ssl-no-hostname-check/)
      assert.ok(Date.now() - started < 15_000, 'retried until --connect-timeout')
    })

    test('--ssl-no-hostname-check accepts that certificate with a warning', async () => {
      const topic = await kafka.topic()
      const run = await kprod([...base(L('NOSAN'), topic), '--security-protocol', 'ssl', ...tls(), '--ssl-no-hostname-check'], { input: 'x\n' })
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stderr, /WARNING: --ssl-no-hostname-check/)
    })

    test('--ssl-no-verify accepts an unknown CA with a warning', async () => {
      const topic = await kafka.topic()
      const run = await kprod([...base(L('SSL'), topic), '--security-protocol', 'ssl', '--ssl-no-verify'], { input: 'x\n' })
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stderr, /WARNING: --ssl-no-verify/)
    })

    test('TLS against a plaintext listener ends the run at start: exit 3, names --security-protocol', async () => {
      const topic = unused
      const started = Date.now()
      const run = await kprod([...base(L('PLAINTEXT'), topic), '--security-protocol', 'ssl', ...tls()], { input: 'x\n' })
      assert.equal(run.code, 3, run.stderr)
      assert.match(String(run.summary.error), /plaintext listener; use --security-protocol plaintext/)
      assert.ok(Date.now() - started < 15_000, 'retried until --connect-timeout')
    })

    const logins = [
      { mechanism: 'PLAIN', listener: 'SASL_SSL', protocol: 'sasl_ssl' },
      { mechanism: 'SCRAM-SHA-256', listener: 'SASL_PLAINTEXT', protocol: 'sasl_plaintext' },
      { mechanism: 'SCRAM-SHA-512', listener: 'SASL_SSL', protocol: 'sasl_ssl' }
    ]
    for (const { mechanism, listener, protocol } of logins) {
      test(`SASL ${mechanism} over ${protocol} delivers; the password is never printed`, async () => {
        const topic = await kafka.topic({ name: `acl-${mechanism.toLowerCase()}-${client}-${Date.now()}` })
        const failed = join(dir, `failed-${client}-${mechanism}.txt`)
        const run = await kprod([...base(L(listener), topic), '--security-protocol', protocol, ...(protocol === 'sasl_ssl' ? tls() : []),
          '--sasl-mechanism', mechanism, '--sasl-username', 'alice', '--failed-output', failed, '--log-level', 'debug'],
        { input: lines(100, mechanism), env: { KPROD_SASL_PASSWORD: 'alice-secret' } })
        assert.equal(run.code, 0, run.stderr.slice(-2000))
        assert.equal(counts(run).delivered, 100)
        assert.deepEqual(await readBack(topic), lines(100, mechanism).split('\n').slice(0, -1))
        assertNoSecret(run, failed)
      })

      test(`a wrong ${mechanism} password: exit 3 at once, "authentication failed (${mechanism}", never the password`, async () => {
        const topic = unused
        const started = Date.now()
        const run = await kprod([...base(L(listener), topic), '--security-protocol', protocol, ...(protocol === 'sasl_ssl' ? tls() : []),
          '--sasl-mechanism', mechanism, '--sasl-username', 'alice', '--sasl-password', 'wrong-Pa55word-x9', '--log-level', 'debug'], { input: 'x\n' })
        assert.equal(run.code, 3, run.stderr)
        assert.match(String(run.summary.error), new RegExp(`authentication failed \\(${mechanism}, user 'alice'\\)`))
        assert.ok(Date.now() - started < 15_000, 'retried until --connect-timeout')
        assertNoSecret(run)
      })
    }

    test('a kcat properties file (-F) reaches SASL_SSL, and kcat reads the topic back with the same file', async () => {
      const topic = await kafka.topic({ name: `acl-props-${client}-${Date.now()}` })
      const props = join(dir, `client-${client}.properties`)
      writeFileSync(props, ['# as for kcat -F', `bootstrap.servers=${L('SASL_SSL')}`, 'security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN',
        'sasl.username=alice', 'sasl.password=alice-secret', `ssl.ca.location=${L('CA_FILE')}`, ''].join('\n'))
      const run = await kprod(['--kafka-client', client, '-F', props, '-X', 'linger.ms=5', '--topic', topic, '--no-progress'], { input: lines(30, 'props') })
      assert.equal(run.code, 0, run.stderr)
      assertNoSecret(run)
      const { stdout } = await exec('kcat', ['-F', props, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'])
      assert.deepEqual(stdout.trim().split('\n'), lines(30, 'props').trim().split('\n'))
    })

    test('OAUTHBEARER with a token file delivers as the token\'s principal', async () => {
      const topic = await kafka.topic({ name: `acl-oauth-${client}-${Date.now()}` })
      const file = join(dir, `token-${client}`)
      writeFileSync(file, unsecuredToken('alice') + '\n')
      const run = await kprod([...base(L('SASL_SSL'), topic), '--security-protocol', 'sasl_ssl', ...tls(),
        '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauthbearer-token-file', file], { input: lines(20, 'oauth') })
      assert.equal(run.code, 0, run.stderr)
      assert.equal((await readBack(topic)).length, 20)
    })

    test('OAUTHBEARER with a refused token: exit 3 at once, "authentication failed (OAUTHBEARER"', async () => {
      const topic = unused
      const run = await kprod([...base(L('SASL_PLAINTEXT'), topic), '--security-protocol', 'sasl_plaintext',
        '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauthbearer-token-command', 'echo not-a-jws'], { input: 'x\n' })
      assert.equal(run.code, 3, run.stderr)
      assert.match(String(run.summary.error), /authentication failed \(OAUTHBEARER/)
    })
  })
}

for (const client of ['wire', 'kafkajs'] as const) {
  test(`${client}: no Write ACL is known at start: exit 3 naming the principal and the ACL`, async () => {
    const topic = await kafka.topic({ name: `acl-nowrite-${client}-${Date.now()}` })
    const run = await kprod(['--kafka-client', client, '--brokers', L('SASL_PLAINTEXT'), '--topic', topic, '--no-progress',
      '--security-protocol', 'sasl_plaintext', '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'bob', '--sasl-password', 'bob-secret'], { input: 'x\ny\n' })
    assert.equal(run.code, 3, run.stderr)
    assert.equal(run.batches.length, 0, 'a batch was sent')
    assert.match(String(run.summary.error), new RegExp(`TOPIC_AUTHORIZATION_FAILED: principal User:bob lacks WRITE on topic 'acl-nowrite-${client}-\\d+'`))
    assertNoSecret(run)
  })

  test(`${client}: a plaintext client at a TLS listener ends the run at start: exit 3, names --security-protocol ssl`, async () => {
    const topic = unused
    const started = Date.now()
    const run = await kprod(['--kafka-client', client, '--brokers', L('SSL'), '--topic', topic, '--no-progress', '--connect-timeout', '20000'], { input: 'x\n' })
    assert.equal(run.code, 3, run.stderr)
    assert.match(String(run.summary.error), /answered with TLS.*--security-protocol ssl/)
    assert.ok(Date.now() - started < 15_000, 'retried until --connect-timeout')
  })
}

// The REAUTH listener grants sessions of REAUTH_MS (3 s): a run that sends for longer must
// re-authenticate on its connections (KIP-368) or the broker closes them, which shows as
// request errors. kafkajs re-authenticates lazily, before a request, once less than its
// reauthenticationThreshold is left; with its default (10 s) it failed here at start.
for (const [client, mechanism] of [['wire', 'SCRAM-SHA-512'], ['wire', 'OAUTHBEARER'], ['kafkajs', 'SCRAM-SHA-512'], ['kafkajs', 'OAUTHBEARER']] as const) {
  test(`${client}: ${mechanism} re-authenticates before the broker's session lifetime ends`, { timeout: 60_000 }, async () => {
    assert.equal(L('REAUTH_MS'), '3000')
    const topic = await kafka.topic({ name: `acl-reauth-${mechanism.toLowerCase()}-${client}-${Date.now()}` })
    const calls = join(dir, `token-calls-${mechanism}-${client}`)
    const tokenFile = join(dir, `reauth-token-${mechanism}-${client}`)
    writeFileSync(tokenFile, unsecuredToken('alice'))
    writeFileSync(calls, '')
    const login = mechanism === 'OAUTHBEARER'
      ? ['--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauthbearer-token-command', `echo call >> '${calls}'; cat '${tokenFile}'`]
      : ['--sasl-mechanism', mechanism, '--sasl-username', 'alice', '--sasl-password', 'alice-secret']
    const { Readable } = await import('node:stream')
    const slow = Readable.from((async function * () {
      for (let i = 0; i < 8; i++) {
        yield `slow ${i}\n`
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    })())
    const run = await kprod(['--kafka-client', client, '--brokers', L('REAUTH'), '--topic', topic, '--no-progress', '--linger', '0',
      '--security-protocol', 'sasl_plaintext', ...login], { input: slow })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(counts(run).delivered, 8)
    assert.equal(run.summary.requestErrors, 0, 'a connection was closed by the broker: no re-authentication')
    if (mechanism === 'OAUTHBEARER') {
      const n = readFileSync(calls, 'utf8').split('\n').filter((l) => l !== '').length
      assert.ok(n >= 3, `the token command ran ${n} times; each re-authentication fetches a fresh token`)
    }
    assert.equal((await readBack(topic)).length, 8)
  })
}

// OIDC (sasl.oauthbearer.method=oidc): tokens from a loopback token endpoint (test/helpers/
// oidc-server.ts, RS256 JWTs) checked by the broker's own OAuthBearerValidatorCallbackHandler on
// the OIDC listener, whose sessions end when the token expires.
describe('OAUTHBEARER with OIDC', () => {
  const CLIENT_SECRET = 'oidc-Secret-77q'
  let idp: OidcServer
  before(async () => {
    idp = await oidcServer({ keyFile: L('OIDC_KEY_FILE'), kid: L('OIDC_KID'), audience: L('OIDC_AUDIENCE'), clients: { alice: CLIENT_SECRET }, lifetimeS: 4 })
  })
  after(async () => { await idp?.close() })
  const oidc = (secret: string): string[] => ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=OAUTHBEARER', '-X', 'sasl.oauthbearer.method=oidc',
    '-X', `sasl.oauthbearer.token.endpoint.url=${idp.url}`, '-X', 'sasl.oauthbearer.client.id=alice', '-X', `sasl.oauthbearer.client.secret=${secret}`,
    '-X', 'sasl.oauthbearer.scope=kafka.write', '-X', 'sasl.oauthbearer.extensions=traceId=t1']
  const noSecret = (run: CliRun): void => {
    for (const s of [CLIENT_SECRET, 'wrong-Oidc-9z']) assert.ok(!(run.stdout + run.stderr).includes(s), `the secret '${s}' was printed`)
  }

  for (const client of ['wire', 'kafkajs'] as const) {
    test(`${client}: delivers with tokens from the token endpoint, renewed before they expire; the client secret is never printed`, { timeout: 90_000 }, async () => {
      const topic = await kafka.topic({ name: `acl-oidc-${client}-${Date.now()}` })
      const first = idp.issued.length
      const { Readable } = await import('node:stream')
      const slow = Readable.from((async function * () {
        for (let i = 0; i < 9; i++) {
          yield `oidc ${i}\n`
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      })())
      const run = await kprod(['--kafka-client', client, '--brokers', L('OIDC'), '--topic', topic, '--no-progress', '--linger', '0', '--log-level', 'debug', ...oidc(CLIENT_SECRET)], { input: slow })
      assert.equal(run.code, 0, run.stderr.slice(-2000))
      assert.equal(counts(run).delivered, 9)
      assert.equal(run.summary.requestErrors, 0, 'the broker closed a connection whose token expired')
      noSecret(run)
      const issued = idp.issued.slice(first)
      assert.ok(issued.every((t) => t.clientId === 'alice' && t.scope === 'kafka.write'))
      // 4-second tokens over a 9-second run: new ones are fetched while it runs, not only at start.
      const span = (issued.at(-1)?.at ?? 0) - (issued[0]?.at ?? 0)
      assert.ok(span >= 4000, `tokens were fetched only within ${span} ms: not renewed`)
      assert.deepEqual(await readBack(topic), Array.from({ length: 9 }, (_, i) => `oidc ${i}`))
    })

    test(`${client}: a refused client secret: exit 3 at once, names the OIDC property, never the secret`, async () => {
      const refused = idp.refused
      const run = await kprod(['--kafka-client', client, '--brokers', L('OIDC'), '--topic', unused, '--no-progress', '--connect-timeout', '20000', ...oidc('wrong-Oidc-9z')], { input: 'x\n' })
      assert.equal(run.code, 3, run.stderr)
      assert.match(String(run.summary.error), /authentication failed \(OAUTHBEARER, OIDC client 'alice'\).*HTTP 401: invalid_client.*sasl\.oauthbearer\.client\.secret/)
      assert.ok(idp.refused > refused)
      noSecret(run)
    })
  }
})
