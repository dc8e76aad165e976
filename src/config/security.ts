// Resolves the Kafka security options (--security-protocol, --sasl-*, --ssl-*, --aws-msk-iam) into
// one KafkaSecurity, collecting every inconsistency as a problem that names its flags. Secret
// values are never put into a problem.

import type { KafkaSecurity, SaslSettings, SecurityProtocol, TlsSettings, TokenSource } from '../transports/kafka/security.ts'
import type { OptionName } from './options.ts'
import { resolveOidc, OIDC_FLAGS } from './oidc.ts'

type Get = <T extends string | number | boolean | readonly string[] | undefined>(name: OptionName) => T

const TLS_FLAGS = ['ssl-ca', 'ssl-cert', 'ssl-key', 'ssl-key-password', 'ssl-no-verify', 'ssl-no-hostname-check'] as const

export function resolveSecurity (get: Get, problems: string[]): KafkaSecurity {
  const str = (name: OptionName): string | null => get<string | undefined>(name) ?? null
  const msk = get<boolean | undefined>('aws-msk-iam') === true
  let mechanism = str('sasl-mechanism')
  if (msk && mechanism !== null && mechanism !== 'OAUTHBEARER') problems.push(`--aws-msk-iam signs OAUTHBEARER tokens; it cannot go with --sasl-mechanism ${mechanism}`)
  if (msk) mechanism = 'OAUTHBEARER'
  const protocolGiven = get<string | undefined>('security-protocol')
  const protocol = (msk && protocolGiven === 'plaintext' ? 'sasl_ssl' : protocolGiven ?? 'plaintext').toUpperCase() as SecurityProtocol
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'

  let tls: TlsSettings | null = null
  if (usesTls) {
    const certFile = str('ssl-cert')
    const keyFile = str('ssl-key')
    if ((certFile === null) !== (keyFile === null)) problems.push('--ssl-cert and --ssl-key go together (ssl.certificate.location, ssl.key.location): give both for a client certificate, or neither')
    if (str('ssl-key-password') !== null && keyFile === null) problems.push('--ssl-key-password (ssl.key.password) needs --ssl-key')
    tls = {
      caFile: str('ssl-ca'),
      certFile,
      keyFile,
      keyPassword: str('ssl-key-password'),
      verify: get<boolean | undefined>('ssl-no-verify') !== true,
      checkHostname: get<boolean | undefined>('ssl-no-hostname-check') !== true
    }
  } else {
    for (const name of TLS_FLAGS) {
      const v = get<string | boolean | undefined>(name)
      if (v !== undefined && v !== false) problems.push(`--${name} needs TLS: add --security-protocol ssl or sasl_ssl (security.protocol); it is ${protocol.toLowerCase()}`)
    }
  }

  let sasl: SaslSettings | null = null
  if (usesSasl) {
    if (mechanism === null) {
      problems.push(`--security-protocol ${protocol.toLowerCase()} needs --sasl-mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (sasl.mechanisms)`)
    } else if (mechanism === 'OAUTHBEARER') {
      const file = str('sasl-oauthbearer-token-file')
      const command = str('sasl-oauthbearer-token-command')
      const sources: TokenSource[] = []
      if (file !== null) sources.push({ kind: 'file', path: file })
      if (command !== null) sources.push({ kind: 'command', command })
      if (msk) sources.push({ kind: 'aws-msk-iam', region: null })
      const oidc = resolveOidc(str, problems)
      if (oidc !== null) sources.push({ kind: 'oidc', oidc })
      if (sources.length !== 1) {
        problems.push(`--sasl-mechanism OAUTHBEARER needs one token source, got ${sources.length}: --sasl-oauthbearer-token-file, --sasl-oauthbearer-token-command, --sasl-oauthbearer-token-endpoint-url (sasl.oauthbearer.method=oidc) or --aws-msk-iam`)
      } else {
        sasl = { mechanism, token: sources[0] as TokenSource }
      }
      for (const name of ['sasl-username', 'sasl-password'] as const) if (str(name) !== null) problems.push(`--${name} is not used by OAUTHBEARER; remove it`)
    } else {
      for (const name of OIDC_FLAGS) if (str(name) !== null) problems.push(`--${name} is used by OAUTHBEARER only; it is --sasl-mechanism ${mechanism}`)
      const username = str('sasl-username')
      const password = str('sasl-password')
      if (username === null) problems.push(`--sasl-mechanism ${mechanism} needs --sasl-username (sasl.username)`)
      if (password === null) problems.push(`--sasl-mechanism ${mechanism} needs --sasl-password or KPROD_SASL_PASSWORD (sasl.password)`)
      if (username !== null && password !== null) sasl = { mechanism: mechanism as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username, password }
    }
  } else {
    const sets = (['sasl-mechanism', 'sasl-username', 'sasl-password', 'sasl-oauthbearer-token-file', 'sasl-oauthbearer-token-command', ...OIDC_FLAGS] as const).filter((n) => str(n) !== null)
    for (const name of sets) problems.push(`--${name} needs SASL: add --security-protocol sasl_ssl or sasl_plaintext (security.protocol); it is ${protocol.toLowerCase()}`)
  }
  return { protocol, tls, sasl }
}
