// Resolves the OIDC options of OAUTHBEARER (sasl.oauthbearer.method=oidc): the token endpoint,
// the client id and secret, the scope and the SASL extensions. A problem names the flag and its
// property, and never carries the client secret.

import type { OptionName } from './options.ts'
import { isIP } from 'node:net'
import type { OidcSettings } from '../transports/kafka/security.ts'

export const OIDC_FLAGS = ['sasl-oauthbearer-token-endpoint-url', 'sasl-oauthbearer-client-id', 'sasl-oauthbearer-client-secret', 'sasl-oauthbearer-scope', 'sasl-oauthbearer-extensions'] as const

/** The settings when --sasl-oauthbearer-token-endpoint-url is given, else null (other flags then are problems). */
export function resolveOidc (str: (name: OptionName) => string | null, problems: string[]): OidcSettings | null {
  const endpoint = str('sasl-oauthbearer-token-endpoint-url')
  if (endpoint === null) {
    for (const name of OIDC_FLAGS) {
      if (str(name) !== null) problems.push(`--${name} needs --sasl-oauthbearer-token-endpoint-url (sasl.oauthbearer.token.endpoint.url), the token endpoint of OIDC`)
    }
    return null
  }
  const urlProblem = checkEndpoint(endpoint)
  if (urlProblem !== null) problems.push(`--sasl-oauthbearer-token-endpoint-url (sasl.oauthbearer.token.endpoint.url) ${urlProblem}`)
  const clientId = str('sasl-oauthbearer-client-id')
  const clientSecret = str('sasl-oauthbearer-client-secret')
  if (clientId === null) problems.push('OIDC needs --sasl-oauthbearer-client-id (sasl.oauthbearer.client.id)')
  if (clientSecret === null) problems.push('OIDC needs --sasl-oauthbearer-client-secret or KPROD_SASL_OAUTHBEARER_CLIENT_SECRET (sasl.oauthbearer.client.secret)')
  const extensions = parseExtensions(str('sasl-oauthbearer-extensions') ?? '', problems)
  if (urlProblem !== null || clientId === null || clientSecret === null || extensions === null) return null
  return { endpoint, clientId, clientSecret, scope: str('sasl-oauthbearer-scope'), extensions }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Why `text` cannot be a token endpoint, or null: the client secret must not cross a network in clear. */
function checkEndpoint (text: string): string | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `must be an https:// URL: current value is '${text}'`
  }
  if (url.protocol === 'https:') return null
  if (url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || (isIP(url.hostname) === 4 && url.hostname.startsWith('127.')))) return null
  return `must be an https:// URL (http:// only on a loopback address, since the client secret is sent with each request): current value is '${text}'`
}

/** RFC 7628 §3.1: key = 1*ALPHA, value = *(VCHAR / SP / HTAB / CR / LF); "auth" is reserved. */
function parseExtensions (text: string, problems: string[]): Record<string, string> | null {
  const out: Record<string, string> = {}
  let ok = true
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=')
    const key = eq < 0 ? pair : pair.slice(0, eq)
    const value = eq < 0 ? '' : pair.slice(eq + 1)
    if (eq < 0 || !/^[A-Za-z]+$/.test(key) || key === 'auth' || !/^[\x21-\x7e \t\r\n]*$/.test(value)) {
      problems.push(`--sasl-oauthbearer-extensions (sasl.oauthbearer.extensions): '${pair.slice(0, 60)}' is not key=value with a key of letters other than auth and a printable ASCII value`)
      ok = false
      continue
    }
    out[key] = value
  }
  return ok ? out : null
}
