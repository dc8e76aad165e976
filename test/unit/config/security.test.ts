// Security options resolve into one KafkaSecurity, and inconsistent ones are refused with the
// flags that fix them: SASL without a mechanism or credentials, TLS files without TLS, a
// certificate without its key, several OAUTHBEARER token sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig } from '../../../src/config/config.ts'
import { kafkaTarget } from '../../helpers/config-target.ts'
import { ConfigError } from '../../../src/errors.ts'

function problems (flags: Record<string, string | boolean>, env: Record<string, string> = {}, x: string[] = []): string {
  try {
    resolveConfig({ topic: 't', ...flags }, env, [], x)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n')
    throw err
  }
  assert.fail('no ConfigError')
}

test('plaintext by default; TLS verification and hostname checks on by default', () => {
  assert.deepEqual(kafkaTarget(resolveConfig({ topic: 't' }, {}, [])).security, { protocol: 'PLAINTEXT', tls: null, sasl: null })
  const c = resolveConfig({ topic: 't', securityProtocol: 'SSL', sslCa: '/ca.pem' }, {}, [])
  assert.deepEqual(kafkaTarget(c).security.tls, { caFile: '/ca.pem', certFile: null, keyFile: null, keyPassword: null, verify: true, checkHostname: true })
})

test('the password comes from KPROD_SASL_PASSWORD', () => {
  const c = resolveConfig({ topic: 't', securityProtocol: 'sasl_plaintext', saslMechanism: 'scram-sha-256', saslUsername: 'u' }, { KPROD_SASL_PASSWORD: 'pw' }, [])
  assert.deepEqual(kafkaTarget(c).security.sasl, { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'pw' })
})

test('inconsistent settings are refused, naming the flags that fix them, never the password', () => {
  assert.match(problems({ securityProtocol: 'sasl_ssl' }), /--security-protocol sasl_ssl needs --sasl-mechanism/)
  assert.match(problems({ saslMechanism: 'PLAIN', saslPassword: 'hunter2' }), /--sasl-mechanism needs SASL: add --security-protocol/)
  assert.match(problems({ sslCa: '/ca.pem' }), /--ssl-ca needs TLS: add --security-protocol ssl or sasl_ssl/)
  assert.match(problems({ securityProtocol: 'ssl', sslCert: '/c.pem' }), /--ssl-cert and --ssl-key go together/)
  const text = problems({ securityProtocol: 'sasl_ssl', saslMechanism: 'PLAIN', saslPassword: 'hunter2' })
  assert.match(text, /--sasl-mechanism PLAIN needs --sasl-username/)
  assert.ok(!text.includes('hunter2'))
  assert.match(problems({ securityProtocol: 'sasl_ssl', saslMechanism: 'OAUTHBEARER', saslOauthbearerTokenFile: '/t', saslOauthbearerTokenCommand: 'x' }), /needs one token source, got 2/)
  assert.match(problems({ awsMskIam: true, saslMechanism: 'PLAIN' }), /--aws-msk-iam signs OAUTHBEARER tokens/)
})

test('--aws-msk-iam implies OAUTHBEARER over sasl_ssl', () => {
  const c = resolveConfig({ topic: 't', awsMskIam: true }, {}, [])
  assert.equal(kafkaTarget(c).security.protocol, 'SASL_SSL')
  assert.deepEqual(kafkaTarget(c).security.sasl, { mechanism: 'OAUTHBEARER', token: { kind: 'aws-msk-iam', region: null } })
})

test('OIDC: the token endpoint, client, scope and extensions resolve from librdkafka\'s properties; the secret from KPROD_SASL_OAUTHBEARER_CLIENT_SECRET', () => {
  const x = ['security.protocol=SASL_SSL', 'sasl.mechanisms=OAUTHBEARER', 'sasl.oauthbearer.method=oidc', 'sasl.oauthbearer.token.endpoint.url=https://idp.example/token',
    'sasl.oauthbearer.client.id=c1', 'sasl.oauthbearer.scope=kafka', 'sasl.oauthbearer.extensions=logicalCluster=lkc-1, identityPoolId=pool-2']
  const c = resolveConfig({ topic: 't' }, { KPROD_SASL_OAUTHBEARER_CLIENT_SECRET: 's3cret' }, [], x)
  assert.deepEqual(kafkaTarget(c).security.sasl, {
    mechanism: 'OAUTHBEARER',
    token: { kind: 'oidc', oidc: { endpoint: 'https://idp.example/token', clientId: 'c1', clientSecret: 's3cret', scope: 'kafka', extensions: { logicalCluster: 'lkc-1', identityPoolId: 'pool-2' } } }
  })
})

test('OIDC: a missing client, a cleartext endpoint off loopback and bad extensions are refused, naming the property, never the secret', () => {
  const base = { securityProtocol: 'sasl_ssl', saslMechanism: 'OAUTHBEARER' }
  const text = problems({ ...base, saslOauthbearerTokenEndpointUrl: 'http://idp.example/token', saslOauthbearerClientSecret: 'hunter2', saslOauthbearerExtensions: 'auth=x,ok=1,bad' })
  assert.match(text, /--sasl-oauthbearer-token-endpoint-url \(sasl\.oauthbearer\.token\.endpoint\.url\) must be an https:\/\/ URL \(http:\/\/ only on a loopback address/)
  assert.match(text, /OIDC needs --sasl-oauthbearer-client-id \(sasl\.oauthbearer\.client\.id\)/)
  assert.match(text, /sasl\.oauthbearer\.extensions\): 'auth=x' is not key=value/)
  assert.match(text, /'bad' is not key=value/)
  assert.ok(!text.includes('hunter2'))
  assert.match(problems({ ...base, saslOauthbearerClientId: 'c1' }), /--sasl-oauthbearer-client-id needs --sasl-oauthbearer-token-endpoint-url/)
  assert.match(problems({ ...base, saslOauthbearerTokenEndpointUrl: 'http://127.0.0.1:1/t', saslOauthbearerClientId: 'c', saslOauthbearerClientSecret: 's', saslOauthbearerTokenFile: '/t' }), /needs one token source, got 2/)
  assert.match(problems({}, {}, ['sasl.oauthbearer.method=magic']), /sasl\.oauthbearer\.method 'magic' is not supported; kprod takes oidc/)
})
