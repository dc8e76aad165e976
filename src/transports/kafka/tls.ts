// TLS for both Kafka clients: the node:tls options a TlsSettings asks for (files read once, a bad
// file is a configuration error naming its flag), and the start-up failures that no retry can fix
// (an untrusted certificate, a hostname mismatch, TLS against a plaintext listener and the
// reverse), each as one final error that names the cause and the setting that fixes it.

import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { ConnectionOptions, PeerCertificate } from 'node:tls'
import { ConfigError, KprodError } from '../../errors.ts'
import type { TlsSettings } from './security.ts'

export type TlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized' | 'checkServerIdentity'>

/** Reads the files once; throws a ConfigError (exit 2) naming the flag of a file that cannot be read. */
export function tlsOptions (s: TlsSettings): TlsOptions {
  const problems: string[] = []
  const read = (path: string | null, flag: string): Buffer | undefined => {
    if (path === null) return undefined
    try {
      return readFileSync(path)
    } catch (err) {
      problems.push(`${flag}: cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
      return undefined
    }
  }
  const ca = read(s.caFile, '--ssl-ca (ssl.ca.location)')
  const cert = read(s.certFile, '--ssl-cert (ssl.certificate.location)')
  const key = read(s.keyFile, '--ssl-key (ssl.key.location)')
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) problems.push(`--ssl-ca (ssl.ca.location): '${s.caFile ?? ''}' holds no PEM certificate`)
  if (problems.length > 0) throw new ConfigError(problems)
  const options: TlsOptions = { rejectUnauthorized: s.verify }
  if (ca !== undefined) options.ca = ca
  if (cert !== undefined) options.cert = cert
  if (key !== undefined) options.key = key
  if (s.keyPassword !== null) options.passphrase = s.keyPassword
  if (!s.checkHostname) options.checkServerIdentity = () => undefined
  return options
}

/** SNI: a host name, never an IP address (RFC 6066). */
export function serverName (host: string): string | undefined {
  return isIP(host) === 0 ? host : undefined
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'INVALID_CA', 'CERT_REJECTED'
])

/**
 * The final error for a failed TLS handshake with `address`, or null when the failure may pass
 * (a reset while the broker restarts looks the same as any network error and is retried).
 */
export function tlsFailure (err: NodeJS.ErrnoException & { cert?: PeerCertificate }, address: string, tcpConnected: boolean, s: TlsSettings): KprodError | null {
  const code = err.code ?? ''
  if (UNTRUSTED.has(code)) {
    const fix = s.caFile === null
      ? 'give the CA that signed it with --ssl-ca FILE (ssl.ca.location)'
      : `check that --ssl-ca '${s.caFile}' (ssl.ca.location) holds the CA that signed it`
    return new KprodError('KPROD_TLS', `TLS: the certificate of broker ${address} is not trusted (${code}: ${err.message}); ${fix}, or (unsafe) --ssl-no-verify`, { cause: err })
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new KprodError('KPROD_TLS', `TLS: hostname mismatch: the certificate of broker ${address} is not for that address (${err.message}); connect by a name the certificate lists, or (unsafe) --ssl-no-hostname-check (ssl.endpoint.identification.algorithm=none)`, { cause: err })
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'EPROTO' ||
      (tcpConnected && (code === 'ECONNRESET' || /socket disconnected before secure TLS connection/i.test(err.message)))) {
    return new KprodError('KPROD_TLS', `TLS: broker ${address} did not complete a TLS handshake (${err.message}): it looks like a plaintext listener; use --security-protocol plaintext or sasl_plaintext (security.protocol), or the broker's TLS port`, { cause: err })
  }
  if (/ssl|tls|certificate|bad decrypt|key/i.test(code + ' ' + err.message) && !/ECONN|ETIMEDOUT|EHOSTUNREACH/.test(code)) {
    return new KprodError('KPROD_TLS', `TLS with broker ${address} failed: ${err.message}; check --ssl-cert, --ssl-key and --ssl-key-password (ssl.certificate.location, ssl.key.location, ssl.key.password)`, { cause: err })
  }
  return null
}

/** A plaintext client got TLS bytes back: the first bytes of a TLS record (handshake or alert). */
export function looksLikeTls (frame: Buffer): boolean {
  return frame.length >= 3 && (frame[0] === 0x15 || frame[0] === 0x16) && frame[1] === 0x03 && (frame[2] ?? 9) <= 0x04
}

export function plaintextToTlsError (address: string): KprodError {
  return new KprodError('KPROD_TLS', `broker ${address} answered with TLS: it is a TLS listener; use --security-protocol ssl or sasl_ssl (security.protocol)`)
}
