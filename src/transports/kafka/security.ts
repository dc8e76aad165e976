// The security settings both Kafka clients take (security.protocol, TLS files and checks, the SASL
// mechanism and its credentials), and how a secret is kept out of every message kprod prints.

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER'

export interface TlsSettings {
  /** PEM file of the CAs to trust; null: Node's bundled roots (the system's with NODE_USE_SYSTEM_CA). */
  readonly caFile: string | null
  /** PEM client certificate (mTLS) and its key; both or neither. */
  readonly certFile: string | null
  readonly keyFile: string | null
  readonly keyPassword: string | null
  /** false (--ssl-no-verify): any certificate is accepted. */
  readonly verify: boolean
  /** false (--ssl-no-hostname-check): a trusted certificate for another name is accepted. */
  readonly checkHostname: boolean
}

/** Where an OAUTHBEARER token comes from: read again at every (re-)authentication. */
export type TokenSource =
  | { readonly kind: 'file', readonly path: string }
  | { readonly kind: 'command', readonly command: string }
  | { readonly kind: 'aws-msk-iam', readonly region: string | null }
  | { readonly kind: 'oidc', readonly oidc: OidcSettings }

/** sasl.oauthbearer.method=oidc: the client-credentials grant at a token endpoint. */
export interface OidcSettings {
  readonly endpoint: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scope: string | null
  /** SASL extensions (RFC 7628 key=value) sent with every token. */
  readonly extensions: Readonly<Record<string, string>>
}

export type SaslSettings =
  | { readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', readonly username: string, readonly password: string }
  | { readonly mechanism: 'OAUTHBEARER', readonly token: TokenSource }

export interface KafkaSecurity {
  readonly protocol: SecurityProtocol
  /** Set for SSL and SASL_SSL. */
  readonly tls: TlsSettings | null
  /** Set for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl: SaslSettings | null
}

export const PLAINTEXT: KafkaSecurity = Object.freeze({ protocol: 'PLAINTEXT', tls: null, sasl: null })

/** The secrets of a setting, to be cut out of any text that may have picked one up. */
export function secretsOf (security: KafkaSecurity): string[] {
  const out: string[] = []
  if (security.sasl !== null && 'password' in security.sasl) out.push(security.sasl.password)
  if (security.sasl?.mechanism === 'OAUTHBEARER' && security.sasl.token.kind === 'oidc') out.push(security.sasl.token.oidc.clientSecret)
  if (security.tls?.keyPassword !== null && security.tls?.keyPassword !== undefined) out.push(security.tls.keyPassword)
  return out.filter((s) => s.length > 0)
}

/** `text` with every secret replaced by ***. */
export function redact (text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('***')
  return out
}

/** The principal a SASL login acts as, for messages about ACLs. */
export function principalOf (security: KafkaSecurity): string {
  const sasl = security.sasl
  if (sasl !== null && 'username' in sasl) return `User:${sasl.username}`
  if (sasl?.mechanism === 'OAUTHBEARER' && sasl.token.kind === 'oidc') return `the token's principal (OIDC client '${sasl.token.oidc.clientId}')`
  if (sasl?.mechanism === 'OAUTHBEARER') return 'the token\'s principal'
  if (security.tls?.certFile !== null && security.tls?.certFile !== undefined) return 'the client certificate\'s principal'
  return 'User:ANONYMOUS'
}
