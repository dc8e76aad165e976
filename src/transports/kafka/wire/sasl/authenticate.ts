// SASL on one wire connection: SaslHandshake v1 names the mechanism, then SaslAuthenticate
// exchanges carry PLAIN, SCRAM-SHA-256/512 or OAUTHBEARER (RFC 7628) bytes. Resolves with the
// session lifetime the broker grants (KIP-368; 0 = none), after which the connection must
// re-authenticate. Any refusal is a final KPROD_AUTH error naming the mechanism, never a secret.

import { KprodError } from '../../../../errors.ts'
import { fetchToken } from '../../oauth-token.ts'
import { redact, secretsOf, type SaslSettings } from '../../security.ts'
import type { Connection } from '../connection.ts'
import { API, Reader, requestHeader } from '../protocol.ts'
import { ScramClient, ScramError } from './scram.ts'

export interface SaslContext {
  readonly sasl: SaslSettings
  readonly clientId: string
  readonly requestTimeoutMs: number
  /** SaslAuthenticate version: 1 gives the session lifetime, 0 does not. */
  readonly authenticateVersion: number
  readonly env: Readonly<Record<string, string | undefined>>
  readonly brokers: readonly string[]
}

const UNSUPPORTED_SASL_MECHANISM = 33
const ILLEGAL_SASL_STATE = 34
const SASL_AUTHENTICATION_FAILED = 58

export async function authenticate (conn: Connection, c: SaslContext): Promise<number> {
  const mechanism = c.sasl.mechanism
  const fail = (why: string): KprodError => new KprodError('KPROD_AUTH', redact(`authentication failed (${mechanism}${userOf(c.sasl)}) at broker ${conn.address}: ${why}`, secretsOf({ protocol: 'SASL_PLAINTEXT', tls: null, sasl: c.sasl })))
  await handshake(conn, c, fail)
  const step = async (bytes: Buffer): Promise<{ bytes: Buffer, lifetimeMs: number }> => {
    const answer = await saslAuthenticate(conn, c, bytes)
    if (answer.errorCode === SASL_AUTHENTICATION_FAILED) throw fail(answer.errorMessage ?? 'the broker refused the credentials')
    if (answer.errorCode !== 0) throw fail(`broker error ${answer.errorCode}${answer.errorMessage === null ? '' : ': ' + answer.errorMessage}`)
    return answer
  }
  const sasl = c.sasl
  switch (sasl.mechanism) {
    case 'PLAIN':
      return (await step(Buffer.from(`\0${sasl.username}\0${sasl.password}`))).lifetimeMs
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512': {
      const scram = new ScramClient(sasl.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', sasl.username, sasl.password)
      try {
        const serverFirst = await step(scram.first())
        const serverFinal = await step(scram.final(serverFirst.bytes))
        scram.verify(serverFinal.bytes)
        return serverFinal.lifetimeMs
      } catch (err) {
        if (err instanceof ScramError) throw fail(err.message)
        throw err
      }
    }
    case 'OAUTHBEARER': {
      const token = await fetchToken(sasl.token, c.env, c.brokers)
      const extensions = Object.entries(token.extensions ?? {}).map(([k, v]) => `${k}=${v}\x01`).join('')
      const answer = await step(Buffer.from(`n,,\x01auth=Bearer ${token.value}\x01${extensions}\x01`))
      if (answer.bytes.length > 0) {
        // RFC 7628: the server sent an error challenge; the client ends the exchange with 0x01.
        await saslAuthenticate(conn, c, Buffer.from([1])).catch(() => {})
        throw fail(`the broker refused the token: ${oauthStatus(answer.bytes)}`)
      }
      const lifetime = answer.lifetimeMs
      // A token that expires before the broker's session ends is renewed before it expires. A
      // broker that grants no lifetime (0) never ends the session, and refuses a re-authentication.
      if (token.expiresAt !== null && lifetime > 0) {
        const left = token.expiresAt - Date.now()
        if (left > 0 && left < lifetime) return left
      }
      return lifetime
    }
  }
}

async function handshake (conn: Connection, c: SaslContext, fail: (why: string) => KprodError): Promise<void> {
  const id = conn.nextCorrelationId()
  const frame = requestHeader(API.SASL_HANDSHAKE, 1, id, c.clientId).string(c.sasl.mechanism).framed()
  const r = await conn.request(frame, id, c.requestTimeoutMs, 'SaslHandshake', undefined, true)
  const errorCode = r.int16()
  const offered = r.array((a) => a.string())
  if (errorCode === UNSUPPORTED_SASL_MECHANISM) {
    throw fail(`the listener does not enable ${c.sasl.mechanism}; it offers ${offered.join(', ') || 'none'} (--sasl-mechanism, sasl.mechanisms)`)
  }
  if (errorCode === ILLEGAL_SASL_STATE) throw fail('the broker is in no state to authenticate: is this a SASL listener? (--security-protocol, security.protocol)')
  if (errorCode !== 0) throw fail(`SaslHandshake error ${errorCode}`)
}

async function saslAuthenticate (conn: Connection, c: SaslContext, bytes: Buffer): Promise<{ errorCode: number, errorMessage: string | null, bytes: Buffer, lifetimeMs: number }> {
  const id = conn.nextCorrelationId()
  const version = c.authenticateVersion
  const frame = requestHeader(API.SASL_AUTHENTICATE, version, id, c.clientId).bytes(bytes).framed()
  const r: Reader = await conn.request(frame, id, c.requestTimeoutMs, 'SaslAuthenticate', undefined, true)
  const errorCode = r.int16()
  const errorMessage = r.nullableString()
  const authBytes = r.bytes() ?? Buffer.alloc(0)
  const lifetimeMs = version >= 1 ? Number(r.int64()) : 0
  return { errorCode, errorMessage, bytes: authBytes, lifetimeMs }
}

function userOf (sasl: SaslSettings): string {
  return 'username' in sasl ? `, user '${sasl.username}'` : ''
}

function oauthStatus (bytes: Buffer): string {
  try {
    const o = JSON.parse(bytes.toString('utf8')) as { status?: string }
    return o.status ?? 'no status'
  } catch {
    return 'unreadable error'
  }
}
