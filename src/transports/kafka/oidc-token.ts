// OAUTHBEARER tokens from an OAuth 2 / OIDC token endpoint with the client-credentials grant
// (sasl.oauthbearer.method=oidc, librdkafka's names), fetched anew at every login and
// re-authentication, which both clients schedule before the token expires. The client secret
// goes in the Authorization header only (RFC 6749 §2.3.1) and never into a message.

import { KprodError } from '../../errors.ts'
import type { OidcSettings } from './security.ts'

export interface OidcToken {
  readonly value: string
  /** Milliseconds since the epoch: from expires_in, else the JWT's exp claim; null when neither says. */
  readonly expiresAt: number | null
}

const TIMEOUT_MS = 30_000
const SHOWN_BODY_CHARS = 200

export async function oidcToken (s: OidcSettings, now: () => number = Date.now): Promise<OidcToken> {
  const where = `the token endpoint ${s.endpoint} (sasl.oauthbearer.token.endpoint.url)`
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (s.scope !== null) form.set('scope', s.scope)
  const basic = Buffer.from(`${encodeURIComponent(s.clientId)}:${encodeURIComponent(s.clientSecret)}`).toString('base64')
  let response: Response
  try {
    response = await fetch(s.endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS)
    })
  } catch (err) {
    // fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout...) is its cause.
    const c = (err as { cause?: { code?: string, message?: string, errors?: Array<{ code?: string }> } }).cause
    const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (err instanceof Error ? err.message : String(err))
    throw new KprodError('KPROD_CONNECT', `OAUTHBEARER (OIDC): cannot reach ${where}: ${cause}`, { retriable: true })
  }
  const text = (await response.text()).replaceAll(s.clientSecret, '***')
  if (!response.ok) {
    const why = `${where} answered HTTP ${response.status}: ${describe(text)}`
    // 4xx: the client id, secret or scope is refused, which no retry fixes; 5xx may pass.
    if (response.status >= 400 && response.status < 500) {
      throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER, OIDC client '${s.clientId}'): ${why}; check sasl.oauthbearer.client.id, sasl.oauthbearer.client.secret and sasl.oauthbearer.scope`)
    }
    throw new KprodError('KPROD_CONNECT', `OAUTHBEARER (OIDC): ${why}`, { retriable: true })
  }
  let body: { access_token?: unknown, expires_in?: unknown }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER, OIDC): ${where} answered no JSON: ${describe(text)}`)
  }
  if (typeof body.access_token !== 'string' || body.access_token === '' || /\s/.test(body.access_token)) {
    throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER, OIDC): ${where} answered no access_token`)
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in)
  const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : jwtExpiry(body.access_token)
  return { value: body.access_token, expiresAt }
}

/** The `error` and `error_description` of an OAuth error answer (RFC 6749 §5.2), else its start. */
function describe (text: string): string {
  try {
    const o = JSON.parse(text) as { error?: unknown, error_description?: unknown }
    if (typeof o.error === 'string') return typeof o.error_description === 'string' ? `${o.error}: ${o.error_description.slice(0, SHOWN_BODY_CHARS)}` : o.error
  } catch {}
  return JSON.stringify(text.slice(0, SHOWN_BODY_CHARS))
}

/** The exp claim of a JWS, in ms; null when the token is not a readable JWT. */
export function jwtExpiry (token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null
  } catch {
    return null
  }
}
