// The OIDC client-credentials grant against a real HTTP token endpoint on loopback: a token and
// its expiry come back; a refused client is a final KPROD_AUTH error naming the properties to
// check and never the secret; an endpoint that does not answer is a retriable KPROD_CONNECT.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KprodError } from '../../../../src/errors.ts'
import { oidcToken, jwtExpiry } from '../../../../src/transports/kafka/oidc-token.ts'
import { oidcServer } from '../../../helpers/oidc-server.ts'

const keyFile = join(mkdtempSync(join(tmpdir(), 'kprod-oidc-')), 'key.pem')
writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))
const settings = (url: string, clientSecret: string): Parameters<typeof oidcToken>[0] =>
  ({ endpoint: url, clientId: 'c:1', clientSecret, scope: 'kafka', extensions: {} })

test('oidcToken gets a token with the client-credentials grant, its expiry from expires_in', async (t) => {
  const idp = await oidcServer({ keyFile, kid: 'k', audience: 'a', clients: { 'c:1': 's&ecret' }, lifetimeS: 60 })
  t.after(() => idp.close())
  const token = await oidcToken(settings(idp.url, 's&ecret'), () => 1_000_000)
  assert.equal(token.expiresAt, 1_000_000 + 60_000)
  assert.equal(token.value.split('.').length, 3)
  assert.ok(Math.abs((jwtExpiry(token.value) ?? 0) - Date.now() - 60_000) < 5_000)
  assert.deepEqual(idp.issued.map((i) => [i.clientId, i.scope]), [['c:1', 'kafka']])
})

test('oidcToken refused by the endpoint: KPROD_AUTH naming the client and properties, never the secret', async (t) => {
  const idp = await oidcServer({ keyFile, kid: 'k', audience: 'a', clients: { 'c:1': 'right' }, lifetimeS: 60 })
  t.after(() => idp.close())
  const err = await oidcToken(settings(idp.url, 'wrong-hunter2')).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof KprodError)
  assert.equal(err.code, 'KPROD_AUTH')
  assert.match(err.message, /OIDC client 'c:1'.*HTTP 401: invalid_client: unknown client or wrong secret; check sasl\.oauthbearer\.client\.id, sasl\.oauthbearer\.client\.secret/)
  assert.ok(!err.message.includes('hunter2'))
})

test('oidcToken with no endpoint listening: a retriable KPROD_CONNECT naming the endpoint property', async () => {
  // A port that was free a moment ago (fetch refuses some low ports outright as "bad port").
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  const err = await oidcToken(settings(`http://127.0.0.1:${port}/token`, 'x')).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof KprodError)
  assert.equal(err.code, 'KPROD_CONNECT')
  assert.equal(err.retriable, true)
  assert.match(err.message, /cannot reach the token endpoint http:\/\/127\.0\.0\.1:\d+\/token \(sasl\.oauthbearer\.token\.endpoint\.url\): ECONNREFUSED/)
})
