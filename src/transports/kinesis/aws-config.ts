// The AWS settings of a Kinesis run, read the way the AWS SDK for JavaScript and the AWS CLI read
// them: the profile (--profile, AWS_PROFILE, else default), the region (--region, AWS_REGION, the
// profile's `region`), the endpoint (--endpoint, AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the
// profile's `services` section, the profile's `endpoint_url`, else the region's own) and static
// credentials when kprod can read them (the environment's keys, or the profile's
// aws_access_key_id/aws_secret_access_key). Each value carries where it came from, for the
// summary's notes. Pure: the environment and the file reader are passed in.

import { homedir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../errors.ts'

export type Env = Readonly<Record<string, string | undefined>>

/** Reads a shared config or credentials file: its text, or null when there is none. */
export type ReadConfigFile = (path: string) => string | null

export interface StaticCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

/** A setting and where it came from, e.g. { value: 'eu-west-1', from: "profile 'dev' in ~/.aws/config" }. */
export interface Sourced<T> {
  readonly value: T
  readonly from: string
}

/** What kprod read: --profile, --region and --endpoint as given (null when not). */
export interface AwsFlags {
  readonly profile?: string | null
  readonly region: string | null
  readonly endpoint: string | null
}

export interface AwsConfig {
  /** The profile's name and why (--profile, AWS_PROFILE, or 'default'). */
  readonly profile: Sourced<string>
  /** True when --profile or AWS_PROFILE named it: the SDK must be told, and it must exist. */
  readonly profileNamed: boolean
  readonly region: Sourced<string> | null
  /** A configured endpoint URL; null: the region's own. */
  readonly endpoint: Sourced<string> | null
  /** Keys kprod can read itself; null when only the SDK's chain can find them (see credentialsWhy). */
  readonly credentials: Sourced<StaticCredentials> | null
  /** With credentials null: what the SDK's chain will use and why kprod cannot, for the notes. */
  readonly credentialsWhy: string
  /** A setting that changes the endpoint in ways only the SDK knows (FIPS, dual-stack), or null. */
  readonly sdkEndpointSetting: string | null
}

/** One section of an INI file: key → value; a sub-section (kinesis =\n  endpoint_url = x) as 'kinesis.endpoint_url'. */
type Section = ReadonlyMap<string, string>

// Settings of a profile that make its credentials something only the SDK can produce.
const SDK_CREDENTIALS = ['role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file', 'credential_source', 'login_session'] as const

export function resolveAwsConfig (flags: AwsFlags, env: Env, readFile: ReadConfigFile): AwsConfig {
  const home = nonEmpty(env.HOME) ? env.HOME : homedir()
  const configPath = nonEmpty(env.AWS_CONFIG_FILE) ? env.AWS_CONFIG_FILE : join(home, '.aws', 'config')
  const credentialsPath = nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ? env.AWS_SHARED_CREDENTIALS_FILE : join(home, '.aws', 'credentials')
  const config = parseIni(read(readFile, configPath))
  const credentialsFile = parseIni(read(readFile, credentialsPath))

  const named = nonEmpty(flags.profile ?? undefined) ? { value: flags.profile as string, from: '--profile' } : nonEmpty(env.AWS_PROFILE) ? { value: env.AWS_PROFILE, from: 'AWS_PROFILE' } : null
  const profile = named ?? { value: 'default', from: 'the default profile' }
  const inConfig = config.get(profile.value === 'default' ? 'default' : `profile ${profile.value}`) ?? (profile.value === 'default' ? config.get('profile default') : undefined)
  const inCredentials = credentialsFile.get(profile.value)
  if (named !== null && inConfig === undefined && inCredentials === undefined) {
    throw new ConfigError([`${named.from}: profile '${profile.value}' is in neither ${configPath} nor ${credentialsPath} (set AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE, or name another profile)`])
  }
  const where = (file: string): string => `profile '${profile.value}' in ${file}`

  let region: Sourced<string> | null = null
  if (nonEmpty(flags.region ?? undefined)) region = { value: flags.region as string, from: '--region' }
  else if (nonEmpty(env.AWS_REGION)) region = { value: env.AWS_REGION, from: 'AWS_REGION' }
  else if (nonEmpty(inConfig?.get('region'))) region = { value: inConfig.get('region') as string, from: where(configPath) }

  let endpoint: Sourced<string> | null = flags.endpoint === null ? null : { value: flags.endpoint, from: '--endpoint' }
  const ignoreConfigured = isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || isTrue(inConfig?.get('ignore_configured_endpoint_urls'))
  if (endpoint === null && !ignoreConfigured) {
    const servicesName = inConfig?.get('services')
    const services = nonEmpty(servicesName) ? config.get(`services ${servicesName}`) : undefined
    const candidates: Array<[string | undefined, string]> = [
      [env.AWS_ENDPOINT_URL_KINESIS, 'AWS_ENDPOINT_URL_KINESIS'],
      [env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL'],
      [services?.get('kinesis.endpoint_url'), `[services ${servicesName ?? ''}] kinesis endpoint_url in ${configPath}`],
      [inConfig?.get('endpoint_url'), `endpoint_url of ${where(configPath)}`]
    ]
    for (const [value, from] of candidates) {
      if (nonEmpty(value)) {
        endpoint = { value, from }
        break
      }
    }
  }
  if (endpoint !== null && endpoint.from !== '--endpoint' && !/^https?:\/\/[^\s/]+/.test(endpoint.value)) {
    throw new ConfigError([`${endpoint.from}: '${endpoint.value}' is not an http:// or https:// URL (e.g. http://127.0.0.1:4567)`])
  }

  let sdkEndpointSetting: string | null = null
  for (const [name, value] of [['AWS_USE_FIPS_ENDPOINT', env.AWS_USE_FIPS_ENDPOINT], ['AWS_USE_DUALSTACK_ENDPOINT', env.AWS_USE_DUALSTACK_ENDPOINT],
    [`use_fips_endpoint in ${where(configPath)}`, inConfig?.get('use_fips_endpoint')], [`use_dualstack_endpoint in ${where(configPath)}`, inConfig?.get('use_dualstack_endpoint')]] as const) {
    if (isTrue(value) && sdkEndpointSetting === null) sdkEndpointSetting = name
  }

  // As the SDK's default chain: a named profile wins over the environment's keys (the SDK skips
  // them when AWS_PROFILE is set); without one, the environment's keys, then the default profile.
  let credentials: Sourced<StaticCredentials> | null = null
  let credentialsWhy = ''
  const envKeys = nonEmpty(env.AWS_ACCESS_KEY_ID) && nonEmpty(env.AWS_SECRET_ACCESS_KEY)
  if (named === null && envKeys) {
    credentials = {
      value: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string, ...(nonEmpty(env.AWS_SESSION_TOKEN) ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) },
      from: 'AWS_ACCESS_KEY_ID in the environment'
    }
  } else {
    const chosen = [[inCredentials, credentialsPath], [inConfig, configPath]] as const
    const sdkOnly = chosen.map(([s]) => SDK_CREDENTIALS.find((k) => nonEmpty(s?.get(k)))).find((k) => k !== undefined)
    const keyed = chosen.find(([s]) => nonEmpty(s?.get('aws_access_key_id')) && nonEmpty(s?.get('aws_secret_access_key')))
    if (sdkOnly !== undefined) {
      credentialsWhy = `${profile.from === '--profile' || profile.from === 'AWS_PROFILE' ? `profile '${profile.value}' (${profile.from})` : `profile '${profile.value}'`} has ${sdkOnly}`
    } else if (keyed !== undefined) {
      const [s, file] = keyed
      const token = s?.get('aws_session_token')
      credentials = {
        value: { accessKeyId: s?.get('aws_access_key_id') as string, secretAccessKey: s?.get('aws_secret_access_key') as string, ...(nonEmpty(token) ? { sessionToken: token } : {}) },
        from: `aws_access_key_id of ${where(file)}`
      }
    } else {
      credentialsWhy = named === null
        ? 'neither the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) nor the default profile has keys'
        : `profile '${profile.value}' (${profile.from}) has no keys`
    }
  }
  return { profile, profileNamed: named !== null, region, endpoint, credentials, credentialsWhy, sdkEndpointSetting }
}

/** What the notes say about the settings: "profile dev (AWS_PROFILE), region eu-west-1 (…), endpoint … (…)". */
export function settingsText (c: AwsConfig, endpoint: string): string {
  const parts: string[] = []
  if (c.profileNamed) parts.push(`profile ${c.profile.value} (${c.profile.from})`)
  parts.push(c.region === null ? 'region from the AWS SDK\'s chain' : `region ${c.region.value} (${c.region.from})`)
  parts.push(c.endpoint === null ? `endpoint ${endpoint} (the region's)` : `endpoint ${c.endpoint.value} (${c.endpoint.from})`)
  return parts.join(', ')
}

function read (readFile: ReadConfigFile, path: string): string {
  try {
    return readFile(path) ?? ''
  } catch (err) {
    throw new ConfigError([`${path} cannot be read: ${(err as Error).message}`])
  }
}

/** The sections of an AWS shared config or credentials file, by their bracketed name. */
export function parseIni (text: string): ReadonlyMap<string, Section> {
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | null = null
  let parent: string | null = null
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[#;].*$/, '')
    if (line.trim() === '') continue
    const header = /^\s*\[\s*([^\]]*?)\s*\]/.exec(line)
    if (header !== null) {
      const name = (header[1] as string).replace(/\s+/g, ' ')
      current = sections.get(name) ?? new Map()
      sections.set(name, current)
      parent = null
      continue
    }
    if (current === null) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = line.slice(0, eq).trim().toLowerCase()
    const value = line.slice(eq + 1).trim()
    if (/^\s/.test(line) && parent !== null) {
      current.set(`${parent}.${key}`, value)
    } else if (value === '') {
      parent = key
    } else {
      parent = null
      current.set(key, value)
    }
  }
  return sections
}

function isTrue (value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true'
}

function nonEmpty (value: string | undefined | null): value is string {
  return value !== undefined && value !== null && value !== ''
}
