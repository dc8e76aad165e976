// A local OAuth 2 token endpoint on loopback for tests: the client-credentials grant with HTTP
// Basic client authentication (RFC 6749 §4.4, §2.3.1), issuing RS256 JWTs signed with node:crypto
// by the key the secure test broker's OIDC listener trusts (scripts/kafka/secure.sh). Each issued
// token is recorded, with its time and the scope asked for.

import { createServer, type IncomingMessage } from 'node:http'
import { createPrivateKey, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

export interface OidcServerOptions {
  readonly keyFile: string
  readonly kid: string
  readonly audience: string
  /** client id → client secret; the token's sub is the client id. */
  readonly clients: Readonly<Record<string, string>>
  readonly lifetimeS: number
}

export interface Issued { readonly at: number, readonly clientId: string, readonly scope: string | null }

export interface OidcServer {
  url: string
  readonly issued: Issued[]
  /** Requests refused (401/400). */
  refused: number
  close: () => Promise<void>
}

export async function oidcServer (o: OidcServerOptions): Promise<OidcServer> {
  const key = createPrivateKey(readFileSync(o.keyFile))
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const jwt = (sub: string, scope: string | null): string => {
    const now = Math.floor(Date.now() / 1000)
    const head = b64({ alg: 'RS256', typ: 'JWT', kid: o.kid })
    const body = b64({ sub, aud: o.audience, iss: 'kprod-test-idp', iat: now, exp: now + o.lifetimeS, ...(scope === null ? {} : { scope }) })
    return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url')}`
  }
  const state: OidcServer = { url: '', issued: [], refused: 0, close: async () => {} }
  const server = createServer((req, res) => {
    readBody(req).then((text) => {
      const answer = (status: number, body: object): void => {
        if (status !== 200) state.refused++
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent)
      if (req.method !== 'POST' || req.url !== '/token') return answer(404, { error: 'not_found' })
      if (id === undefined || o.clients[id] === undefined || o.clients[id] !== secret) return answer(401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' })
      const form = new URLSearchParams(text)
      if (form.get('grant_type') !== 'client_credentials') return answer(400, { error: 'unsupported_grant_type' })
      const scope = form.get('scope')
      state.issued.push({ at: Date.now(), clientId: id, scope })
      answer(200, { access_token: jwt(id, scope), token_type: 'Bearer', expires_in: o.lifetimeS })
    }, () => { res.destroy() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
  state.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  return state
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString()
}
