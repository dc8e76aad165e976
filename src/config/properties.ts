// Configuration as kcat users have it: a librdkafka-style properties file (-F/--config, `key=value`
// lines, `#` comments) and -X key=value, mapped by one table onto kprod's options. librdkafka's
// names come first, the Java client's where kcat has none (sasl.jaas.config, sasl.mechanism,
// delivery.timeout.ms). An unknown or unsupported property is a problem naming it, never ignored;
// values are never echoed for secret properties.

import { readFileSync } from 'node:fs'

/** One option value taken from a property, and where it came from for messages. */
export interface PropertyValue {
  readonly text: string | boolean
  readonly where: string
}

/** Option name → value, from one layer (the file, or -X). */
export type PropertyLayer = Map<string, PropertyValue>

type Result = ReadonlyArray<readonly [option: string, value: string | boolean]> | { readonly error: string }

interface Mapping {
  /** What the property means, in kprod's terms; shown by unsupported-value messages. */
  readonly to: (value: string) => Result
  readonly secret?: boolean
}

const same = (option: string): Mapping => ({ to: (v) => [[option, v]] })
const secret = (option: string): Mapping => ({ to: (v) => [[option, v]], secret: true })
const lower = (option: string): Mapping => ({ to: (v) => [[option, v.toLowerCase()]] })
const bool = (v: string): boolean | null => /^(true|1|yes|on)$/i.test(v) ? true : /^(false|0|no|off)$/i.test(v) ? false : null

/** The table: every property kprod accepts, with the option(s) it sets. */
export const PROPERTIES: Readonly<Record<string, Mapping>> = {
  'bootstrap.servers': same('brokers'),
  'metadata.broker.list': same('brokers'),
  'client.id': same('client-id'),
  'security.protocol': lower('security-protocol'),
  'sasl.mechanisms': { to: mechanism },
  'sasl.mechanism': { to: mechanism },
  'sasl.username': same('sasl-username'),
  'sasl.password': secret('sasl-password'),
  'sasl.jaas.config': { to: jaas, secret: true },
  'sasl.oauthbearer.method': {
    to: (v) => {
      const m = v.toLowerCase()
      if (m === 'aws_msk_iam') return [['aws-msk-iam', true]]
      // oidc: sasl.oauthbearer.token.endpoint.url chooses it; default: a token file or command.
      if (m === 'oidc' || m === 'default') return []
      return { error: `'${v}' is not supported; kprod takes oidc (with sasl.oauthbearer.token.endpoint.url), aws_msk_iam, or default (a token from sasl.oauthbearer.token.file or sasl.oauthbearer.token.command)` }
    }
  },
  'sasl.oauthbearer.token.endpoint.url': same('sasl-oauthbearer-token-endpoint-url'),
  'sasl.oauthbearer.client.id': same('sasl-oauthbearer-client-id'),
  'sasl.oauthbearer.client.secret': secret('sasl-oauthbearer-client-secret'),
  'sasl.oauthbearer.scope': same('sasl-oauthbearer-scope'),
  'sasl.oauthbearer.extensions': same('sasl-oauthbearer-extensions'),
  'sasl.oauthbearer.token.file': same('sasl-oauthbearer-token-file'),
  'sasl.oauthbearer.token.command': same('sasl-oauthbearer-token-command'),
  'ssl.ca.location': same('ssl-ca'),
  'ssl.certificate.location': same('ssl-cert'),
  'ssl.key.location': same('ssl-key'),
  'ssl.key.password': secret('ssl-key-password'),
  'enable.ssl.certificate.verification': {
    to: (v) => { const b = bool(v); return b === null ? { error: `'${v}' is not true or false` } : [['ssl-no-verify', !b]] }
  },
  'ssl.endpoint.identification.algorithm': {
    to: (v) => {
      const s = v.toLowerCase()
      if (s === 'https') return [['ssl-no-hostname-check', false]]
      if (s === 'none' || s === '') return [['ssl-no-hostname-check', true]]
      return { error: `'${v}' is not supported; use https (check the host name) or none` }
    }
  },
  'compression.codec': lower('compression'),
  'compression.type': lower('compression'),
  acks: same('acks'),
  'request.required.acks': same('acks'),
  'enable.idempotence': {
    to: (v) => { const b = bool(v); return b === null ? { error: `'${v}' is not true or false` } : [['idempotent', b]] }
  },
  'linger.ms': same('linger'),
  'queue.buffering.max.ms': same('linger'),
  'batch.num.messages': same('batch-records'),
  'batch.size': same('batch-bytes'),
  'message.timeout.ms': same('delivery-timeout'),
  'delivery.timeout.ms': same('delivery-timeout'),
  'request.timeout.ms': same('request-timeout'),
  'socket.connection.setup.timeout.ms': same('connect-timeout'),
  'connections.max.idle.ms': same('connection-max-idle'),
  'retry.backoff.ms': same('retry-backoff'),
  'retry.backoff.max.ms': same('retry-backoff-max'),
  retries: { to: retries },
  'message.send.max.retries': { to: retries },
  partitioner: {
    to: (v) => {
      const p = { murmur2_random: 'murmur2', murmur2: 'murmur2', fnv1a_random: 'fnv1a', fnv1a: 'fnv1a' }[v]
      return p === undefined ? { error: `'${v}' is not supported; kprod has murmur2_random (the Java client's) and fnv1a_random` } : [['partitioner', p]]
    }
  }
}

function mechanism (v: string): Result {
  // The Java client's MSK IAM mechanism: kprod does MSK IAM through OAUTHBEARER with AWS's signer.
  if (v.toUpperCase() === 'AWS_MSK_IAM') return [['aws-msk-iam', true]]
  return [['sasl-mechanism', v]]
}

function retries (v: string): Result {
  if (!/^\d+$/.test(v)) return { error: `'${v}' is not a whole number` }
  return [['attempts', String(Number(v) + 1)]]
}

/** The Java client's sasl.jaas.config for PLAIN, SCRAM and MSK IAM; the value is never echoed. */
function jaas (v: string): Result {
  const m = /^\s*([\w.$]+)\s+required\b(.*?);?\s*$/s.exec(v)
  if (m === null) return { error: 'is not "<LoginModule> required key=\\"value\\" ...;"' }
  const module = m[1] ?? ''
  if (module === 'software.amazon.msk.auth.iam.IAMLoginModule') return [['aws-msk-iam', true]]
  if (!/\.(PlainLoginModule|ScramLoginModule)$/.test(module)) {
    return { error: `login module ${module} is not supported; kprod reads PlainLoginModule and ScramLoginModule (username and password) and software.amazon.msk.auth.iam.IAMLoginModule` }
  }
  const options = new Map<string, string>()
  for (const o of (m[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    options.set(o[1] ?? '', (o[2] ?? o[3] ?? '').replace(/\\(.)/g, '$1'))
  }
  const username = options.get('username')
  const password = options.get('password')
  if (username === undefined || password === undefined) return { error: `${module} needs username="..." and password="..."` }
  return [['sasl-username', username], ['sasl-password', password]]
}

/** Applies one `key=value`; pushes a problem (never a secret value) when it cannot. */
export function applyProperty (layer: PropertyLayer, key: string, value: string, where: string, problems: string[]): void {
  const mapping = PROPERTIES[key]
  if (mapping === undefined) {
    problems.push(`${where}: unknown or unsupported property '${key}'${closest(key)}; kprod accepts: ${Object.keys(PROPERTIES).join(', ')}`)
    return
  }
  const result = mapping.to(value)
  if ('error' in result) {
    problems.push(`${where}: ${key} ${mapping.secret === true ? result.error.replaceAll(value, '***') : result.error}`)
    return
  }
  for (const [option, text] of result) layer.set(option, { text, where: `${where} (${key})` })
}

/** -X key=value arguments, in order (a later one wins). */
export function propertiesFromArgs (args: readonly string[], problems: string[]): PropertyLayer {
  const layer: PropertyLayer = new Map()
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq <= 0) {
      problems.push(`-X: '${arg.slice(0, 60)}' is not key=value (e.g. -X security.protocol=sasl_ssl)`)
      continue
    }
    applyProperty(layer, arg.slice(0, eq).trim(), arg.slice(eq + 1).trim(), '-X', problems)
  }
  return layer
}

/** A properties file: `key=value` lines, blank lines and `#` or `!` comments. */
export function propertiesFromFile (path: string, problems: string[], read: (path: string) => string = (p) => readFileSync(p, 'utf8')): PropertyLayer {
  const layer: PropertyLayer = new Map()
  let text: string
  try {
    text = read(path)
  } catch (err) {
    problems.push(`--config (-F, KPROD_CONFIG): cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    return layer
  }
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const eq = line.indexOf('=')
    const where = `${path}:${i + 1}`
    if (eq <= 0) {
      problems.push(`${where}: not a key=value line`)
      continue
    }
    applyProperty(layer, line.slice(0, eq).trim(), line.slice(eq + 1).trim(), where, problems)
  }
  return layer
}

function closest (key: string): string {
  const best = nearest(key, Object.keys(PROPERTIES))
  return best === null ? '' : ` (did you mean ${best}?)`
}

/** The candidate closest to `word` by edit distance, when close enough to be a likely typo. */
export function nearest (word: string, candidates: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null
}

function distance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length] ?? 0
}
