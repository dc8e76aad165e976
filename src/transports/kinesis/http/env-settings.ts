// Whether --kinesis-client http can do without the AWS SDK altogether. It can when the SDK would
// take the credentials from the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, no
// AWS_PROFILE), the region is given (--region or AWS_REGION), and nothing asks for an endpoint
// other than --endpoint or the region's own: then kprod signs every call itself, and a run never
// loads the SDK (~27 MB of RSS, bench/README.md). Anything else (a profile, SSO, a role, instance
// metadata, FIPS or dual-stack endpoints, endpoint settings in the shared config file, a region
// outside the partitions known here) goes to the SDK, so a run reaches what the SDK would reach.
// The environment and the config file reader are passed in.

import { homedir } from 'node:os'
import { join } from 'node:path'
import type { AwsCredentials, HttpEndpoint } from './client.ts'

export type Env = Readonly<Record<string, string | undefined>>

/** Reads the shared config file: its text, or null when there is none. */
export type ReadConfigFile = (path: string) => string | null

export interface DirectSettings {
  readonly credentials: AwsCredentials
  readonly region: string
  readonly endpoint: HttpEndpoint
  /** For the summary's notes: where each came from. */
  readonly note: string
}

/** The settings for a run without the SDK, or why the run needs it. */
export type DirectChoice = { readonly direct: DirectSettings } | { readonly reason: string }

const REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
// Regions whose Kinesis endpoint is kinesis.<region>.<suffix> (checked against the SDK's own
// endpoint rules in test/unit/transports/kinesis/env-settings.test.ts).
const PARTITIONS: ReadonlyArray<{ readonly pattern: RegExp, readonly suffix: string }> = [
  { pattern: /^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d{1,2}$/, suffix: 'amazonaws.com' },
  { pattern: /^us-gov-(?:east|west)-1$/, suffix: 'amazonaws.com' },
  { pattern: /^cn-(?:north|northwest)-1$/, suffix: 'amazonaws.com.cn' }
]
// Environment settings with which the SDK would pick another endpoint than kprod would.
const ENDPOINT_ENV = ['AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL', 'AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT'] as const
// The same in the shared config file (any profile, to be safe).
const ENDPOINT_CONFIG = /^[ \t]*(endpoint_url|use_fips_endpoint|use_dualstack_endpoint|services)[ \t]*=/m

export function directSettings (options: { readonly region: string | null, readonly endpoint: string | null }, env: Env, readConfigFile: ReadConfigFile): DirectChoice {
  if (nonEmpty(env.AWS_PROFILE)) return { reason: 'AWS_PROFILE is set' }
  const accessKeyId = env.AWS_ACCESS_KEY_ID
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY
  if (!nonEmpty(accessKeyId) || !nonEmpty(secretAccessKey)) return { reason: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set' }
  const region = options.region ?? env.AWS_REGION
  if (!nonEmpty(region)) return { reason: 'no region in --region or AWS_REGION' }
  if (!REGION.test(region)) return { reason: `region '${region}' is not a plain region name` }
  for (const name of ENDPOINT_ENV) {
    const value = env[name]
    if (nonEmpty(value) && value.toLowerCase() !== 'false') return { reason: `${name} is set` }
  }
  const configFile = nonEmpty(env.AWS_CONFIG_FILE) ? env.AWS_CONFIG_FILE : join(nonEmpty(env.HOME) ? env.HOME : homedir(), '.aws', 'config')
  let config: string | null
  try {
    config = readConfigFile(configFile)
  } catch (err) {
    return { reason: `${configFile} cannot be read (${(err as Error).message})` }
  }
  const setting = config === null ? null : ENDPOINT_CONFIG.exec(config)
  if (setting !== null) return { reason: `${configFile} sets ${setting[1]}` }
  const endpoint = options.endpoint === null ? regionEndpoint(region) : parseEndpoint(options.endpoint)
  if (endpoint === null) return { reason: `kprod does not know the endpoint of region '${region}'` }
  const sessionToken = env.AWS_SESSION_TOKEN
  const url = options.endpoint ?? `https://${endpoint.hostname}`
  return {
    direct: {
      credentials: { accessKeyId, secretAccessKey, ...(nonEmpty(sessionToken) ? { sessionToken } : {}) },
      region,
      endpoint,
      note: `--kinesis-client http: credentials from AWS_ACCESS_KEY_ID in the environment, region ${region} (${options.region === null ? 'AWS_REGION' : '--region'}), endpoint ${url}; the AWS SDK was not loaded`
    }
  }
}

/** kinesis.<region>.<suffix> over HTTPS, or null for a region outside the known partitions. */
export function regionEndpoint (region: string): HttpEndpoint | null {
  const partition = PARTITIONS.find((p) => p.pattern.test(region))
  return partition === undefined ? null : { protocol: 'https:', hostname: `kinesis.${region}.${partition.suffix}`, path: '/' }
}

/** --endpoint (config checked it is an http(s) URL) as scheme, host, port and path. */
export function parseEndpoint (text: string): HttpEndpoint | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  return {
    protocol: url.protocol,
    // An IPv6 address comes in brackets, which node's request options do not take.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
    path: url.pathname === '' ? '/' : url.pathname
  }
}

function nonEmpty (value: string | undefined): value is string {
  return value !== undefined && value !== ''
}
