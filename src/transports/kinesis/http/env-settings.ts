// Whether --kinesis-client http can do without the AWS SDK altogether. It can when kprod reads the
// credentials itself (the environment's keys, or static keys in the profile: kinesis/aws-config.ts),
// the region is known (--region, AWS_REGION or the profile) and the endpoint is one kprod knows
// (configured, or the region's own): then kprod signs every call itself, and a run never loads the
// SDK, whose loading is a large part of a run's RSS (bench/README.md, "Figures behind constants in
// src/"). Anything else (SSO, a role, a credential process, instance
// metadata, FIPS or dual-stack endpoints, a region outside the partitions known here) goes to the
// SDK, so a run reaches what the SDK would reach. The environment and the file reader are passed in.

import type { AwsCredentials, HttpEndpoint } from './client.ts'
import { resolveAwsConfig, settingsText, type AwsConfig, type AwsFlags, type Env, type ReadConfigFile } from '../aws-config.ts'

export type { Env, ReadConfigFile } from '../aws-config.ts'

export interface DirectSettings {
  readonly credentials: AwsCredentials
  readonly region: string
  readonly endpoint: HttpEndpoint
  /** Where the credentials came from, for an auth error. */
  readonly credentialsFrom: string
  /** For the summary's notes: where each came from. */
  readonly note: string
}

/** The settings for a run without the SDK, or why the run needs it (with what kprod read). */
export type DirectChoice = ({ readonly direct: DirectSettings } | { readonly reason: string }) & { readonly config: AwsConfig }

const REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
// Regions whose Kinesis endpoint is kinesis.<region>.<suffix> (checked against the SDK's own
// endpoint rules in test/unit/transports/kinesis/env-settings.test.ts).
const PARTITIONS: ReadonlyArray<{ readonly pattern: RegExp, readonly suffix: string }> = [
  { pattern: /^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d{1,2}$/, suffix: 'amazonaws.com' },
  { pattern: /^us-gov-(?:east|west)-1$/, suffix: 'amazonaws.com' },
  { pattern: /^cn-(?:north|northwest)-1$/, suffix: 'amazonaws.com.cn' }
]

/** Throws a ConfigError (exit 2) for a profile that exists nowhere or a bad configured endpoint. */
export function directSettings (flags: AwsFlags, env: Env, readConfigFile: ReadConfigFile): DirectChoice {
  const config = resolveAwsConfig(flags, env, readConfigFile)
  const sdk = (reason: string): DirectChoice => ({ reason, config })
  const { credentials, region } = config
  if (credentials === null) return sdk(config.credentialsWhy)
  if (region === null) return sdk('no region in --region, AWS_REGION or the profile')
  if (!REGION.test(region.value)) return sdk(`region '${region.value}' is not a plain region name`)
  if (config.sdkEndpointSetting !== null) return sdk(`${config.sdkEndpointSetting} is set`)
  const endpoint = config.endpoint === null ? regionEndpoint(region.value) : parseEndpoint(config.endpoint.value)
  if (endpoint === null) return sdk(`kprod does not know the endpoint of region '${region.value}'`)
  return {
    config,
    direct: {
      credentials: credentials.value,
      region: region.value,
      endpoint,
      credentialsFrom: credentials.from,
      note: `--kinesis-client http: credentials from ${credentials.from}, ${settingsText(config, `https://${endpoint.hostname}`)}; the AWS SDK was not loaded`
    }
  }
}

/** kinesis.<region>.<suffix> over HTTPS, or null for a region outside the known partitions. */
export function regionEndpoint (region: string): HttpEndpoint | null {
  const partition = PARTITIONS.find((p) => p.pattern.test(region))
  return partition === undefined ? null : { protocol: 'https:', hostname: `kinesis.${region}.${partition.suffix}`, path: '/' }
}

/** An endpoint URL (checked to be http(s)) as scheme, host, port and path. */
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
