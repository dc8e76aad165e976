// Turns raw option text (flags, then KPROD_* variables, then defaults) into one fully resolved,
// read-only Config. Every problem is collected and reported at once, each naming its flag.

import { ConfigError } from '../errors.ts'
import { parseKeySeparator } from '../input/parse.ts'
import type { KafkaSecurity } from '../transports/kafka/security.ts'
import type { RecordHeader } from '../record.ts'
import { OPTIONS, envName, flagName, type OptionName, type OptionSpec } from './options.ts'
import { MAX_BATCH_BYTES as MAX_PUT_RECORDS_BYTES, MAX_BATCH_RECORDS as MAX_PUT_RECORDS } from '../transports/kinesis/limits.ts'
import { nearest, propertiesFromArgs, propertiesFromFile, type PropertyLayer } from './properties.ts'
import { resolveSecurity } from './security.ts'
import { RATE_BYTES, RATE_RECORDS, parseRate } from './rate.ts'

export type Acks = -1 | 0 | 1

/**
 * The whole run's settings, one slice per stage: the pipeline hands `input` to the input stage,
 * `batch` to the builder, `producer` to the producer, `output` to the reporters, and `target` to
 * the transport factory. `target` is a union on `kind`, so a Kafka-only field cannot be read on a
 * Kinesis run (nor the reverse) without narrowing first.
 */
export interface Config {
  readonly input: InputConfig
  readonly batch: BatchConfig
  readonly producer: ProducerConfig
  readonly output: OutputConfig
  readonly target: KafkaTarget | KinesisTarget
}

/** Where the lines come from and how each becomes a record. */
export interface InputConfig {
  readonly files: readonly string[]
  readonly maxLineBytes: number
  readonly keySeparator: Buffer | null
  readonly missingKey: 'skip' | 'null-key'
  readonly emptyLines: 'send' | 'skip'
  /** --checkpoint FILE, or null. */
  readonly checkpoint: string | null
  readonly checkpointReset: boolean
  readonly format: 'lines' | 'json'
  /** -Z: an empty value is sent as null. */
  readonly nullEmpty: boolean
  /** -D: the bytes that end a record; null: LF, one trailing CR removed. */
  readonly delimiter: Buffer | null
  /** --raw-input: gzip and zstd input is not decompressed. */
  readonly rawInput: boolean
}

/** Where the builder cuts a batch. */
export interface BatchConfig {
  readonly batchRecords: number
  /** True when the user chose --batch-records: lowering it to fit the topic is then worth a warning. */
  readonly batchRecordsExplicit: boolean
  readonly batchBytes: number
  /** True when the user chose --batch-bytes: lowering it to fit the topic is then worth a warning. */
  readonly batchBytesExplicit: boolean
  readonly minRecords: number
  readonly minBytes: number
  readonly lingerMs: number
}

/** How batches are sent, retried, buffered and given up on. */
export interface ProducerConfig {
  readonly workers: number
  /** --attempts; Infinity when not given: retries then last until --delivery-timeout. */
  readonly attempts: number
  readonly retryBackoffMs: number
  readonly retryBackoffMaxMs: number
  readonly deliveryTimeoutMs: number
  readonly strictPartitioning: boolean
  readonly bufferRecords: number
  readonly bufferBytes: number
  readonly whenFull: 'block' | 'error' | 'drop'
  readonly drainTimeoutMs: number
  /** After end of input, give up on what is still pending after this many ms; 0 = no deadline. */
  readonly flushTimeoutMs: number
  /** --dry-run: connect and place every record, send nothing. */
  readonly dryRun: boolean
  /** --rate and --rate-bytes (per second, null: not limited); null when neither is given. */
  readonly rate: { readonly recordsPerSec: number | null, readonly bytesPerSec: number | null } | null
}

/** What the report writes besides the summary (--quiet has already turned these off). */
export interface OutputConfig {
  readonly failedOutput: string | null
  readonly statsIntervalMs: number
  readonly batchLines: boolean
  readonly progress: boolean
}

/** Settings every target has. */
interface TargetCommon {
  /** The topic or stream name. */
  readonly name: string
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
}

/** --topic: a Kafka topic and how to reach and write to it. */
export interface KafkaTarget extends TargetCommon {
  readonly kind: 'kafka'
  readonly brokers: readonly string[]
  readonly client: 'kafkajs' | 'wire'
  readonly acks: Acks
  readonly ackTimeoutMs: number
  readonly connectionMaxIdleMs: number
  readonly compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  /** Kafka's idempotent producer: --idempotent / --no-idempotent, else on for the wire client with --acks all. */
  readonly idempotent: boolean
  readonly clientId: string
  readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug'
  /** security.protocol, TLS and SASL. */
  readonly security: KafkaSecurity
  /** --header: on every record, after the record's own. */
  readonly headers: readonly RecordHeader[]
  readonly partitioner: 'murmur2' | 'fnv1a'
  readonly partition: number | null
  readonly partitions: readonly number[] | null
}

/** --stream: a Kinesis stream and how to reach and write to it. */
export interface KinesisTarget extends TargetCommon {
  readonly kind: 'kinesis'
  readonly client: 'sdk' | 'http'
  readonly region: string | null
  readonly endpoint: string | null
  /** --profile; null: AWS_PROFILE, else the default profile. */
  readonly profile: string | null
  readonly partitionKey: 'random' | 'hash'
  readonly explicitHashKey: boolean
  readonly shardOrdering: boolean
  /** --aggregate: user records packed into KPL aggregated records, batched per shard. */
  readonly aggregate: boolean
  /** --shard-limit: per-shard write limits kept before sending (with shardOrdering or aggregate); null: off. */
  readonly shardLimit: { readonly recordsPerSecond: number, readonly bytesPerSecond: number } | null
}

/** Option values as commander gives them: strings for valued options, booleans for switches. */
export type RawValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>

type Value = string | number | boolean | readonly string[] | undefined

/**
 * Resolves and validates everything; throws one ConfigError listing every problem. Precedence:
 * flags > -X `properties` > KPROD_* variables > the --config file > defaults. `warn` gets a line
 * for each KPROD_* variable that names no option.
 */
export function resolveConfig (flags: RawValues, env: Readonly<Record<string, string | undefined>>, files: readonly string[],
  properties: readonly string[] = [], warn: (line: string) => void = () => {}): Config {
  const problems: string[] = []
  const v = new Map<OptionName, Value>()
  const fromX = propertiesFromArgs(properties, problems)
  const configFile = typeof flags.config === 'string' ? flags.config : env.KPROD_CONFIG
  const fromFile: PropertyLayer = configFile === undefined || configFile === '' ? new Map() : propertiesFromFile(configFile, problems)
  warnUnknownEnv(env, warn)
  for (const spec of OPTIONS) {
    if (spec.name === 'property') continue // a layer of its own: fromX
    const fromFlag = flags[camel(spec.name)]
    const env1 = envName(spec)
    const fromEnv = env1 === null ? undefined : env[env1]
    let text: string | boolean | readonly string[] | undefined = fromFlag
    let where = flagName(spec)
    const x = fromX.get(spec.name)
    const file = fromFile.get(spec.name)
    if (text === undefined && x !== undefined) {
      text = x.text
      where = `${x.where} (${flagName(spec)})`
    } else if (text === undefined && fromEnv !== undefined && fromEnv !== '') {
      text = fromEnv
      where = `${env1 ?? ''} (${flagName(spec)})`
    } else if (text === undefined && file !== undefined) {
      text = file.text
      where = `${file.where} (${flagName(spec)})`
    }
    if (text === undefined) text = spec.default
    v.set(spec.name, text === undefined ? undefined : convert(spec, text, where, problems))
  }
  const get = <T extends Value>(name: OptionName): T => v.get(name) as T

  const topic = get<string | undefined>('topic')
  const stream = get<string | undefined>('stream')
  const kind = stream !== undefined && topic === undefined ? 'kinesis' : 'kafka'
  if (topic === undefined && stream === undefined) problems.push('--topic or --stream is required: name the Kafka topic (e.g. --topic logs) or the Kinesis stream (e.g. --stream logs)')
  if (topic !== undefined && stream !== undefined) problems.push(`--topic '${topic}' and --stream '${stream}' were both given: kprod sends to one target, choose one`)
  problems.push(...targetProblems(flags, kind))
  problems.push(...kinesisLimitProblems(kind, flags, v))
  const endpoint = get<string | undefined>('endpoint')
  const shardLimitText = get<string | undefined>('shard-limit')
  const shardLimit = shardLimitText === undefined ? DEFAULT_SHARD_LIMIT : parseShardLimit(shardLimitText)
  if (shardLimit === undefined) problems.push(`--shard-limit: '${shardLimitText ?? ''}' is not records/s,bytes/s (two whole numbers from 1, e.g. 1000,1048576) or off`)
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) problems.push(`--endpoint: '${endpoint}' is not an http:// or https:// URL (e.g. http://127.0.0.1:4567)`)
  const brokers = get<readonly string[]>('brokers')
  for (const broker of brokers ?? []) problems.push(...brokerProblems(broker))
  if (topic !== undefined && !isTopicName(topic)) problems.push(`--topic: '${topic}' is not a valid Kafka topic name; allowed: 1 to 249 of the characters a-z A-Z 0-9 . _ - (and not . or ..)`)
  if (stream !== undefined && !/^[a-zA-Z0-9_.-]{1,128}$/.test(stream)) problems.push(`--stream: '${stream}' is not a valid Kinesis stream name; allowed: 1 to 128 of the characters a-z A-Z 0-9 . _ -`)
  const partitionList = get<readonly string[] | undefined>('partitions')
  const partitions = partitionList === undefined ? null : parsePartitions(partitionList, problems)

  let keySeparator: Buffer | null = null
  const sep = get<string | undefined>('key-separator')
  if (sep !== undefined) {
    try { keySeparator = parseKeySeparator(sep) } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems)
      else throw err
    }
  }

  let delimiter: Buffer | null = null
  const delimiterText = get<string | undefined>('delimiter')
  if (delimiterText !== undefined) {
    try { delimiter = parseKeySeparator(delimiterText, '--delimiter') } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems)
      else throw err
    }
  }
  const format = get<'lines' | 'json'>('format')
  const headers = parseHeaders(get<readonly string[] | undefined>('header') ?? [], problems)
  const nullEmpty = get<boolean | undefined>('null-empty') ?? false
  if (format === 'json' && sep !== undefined) problems.push('--key-separator applies to --format lines: in --format json each line names its "key"')
  if (format === 'json' && nullEmpty) problems.push('--null-empty applies to --format lines: in --format json write "value": null for a tombstone')

  // With --aggregate a batch is user records packed into aggregated records: up to 10000 (~1 MiB of 100-byte lines).
  const aggregate = kind === 'kinesis' && (get<boolean | undefined>('aggregate') ?? false)
  const kinesisBatch = aggregate ? AGGREGATE_BATCH_RECORDS : MAX_PUT_RECORDS
  const batchRecords = get<number | undefined>('batch-records') ?? (kind === 'kinesis' ? kinesisBatch : DEFAULT_BATCH_RECORDS[get<'kafkajs' | 'wire'>('kafka-client')])
  const workers = get<number>('workers')
  const bufferRecords = get<number | undefined>('buffer-records') ??
    (kind === 'kinesis' ? workers * Math.min(batchRecords, kinesisBatch) : DEFAULT_BUFFER_RECORDS)
  const minRecords = get<number | undefined>('min-records') ?? batchRecords
  if (minRecords > batchRecords) problems.push(`--min-records ${minRecords} is above --batch-records ${batchRecords}: it would never be reached`)
  const batchBytes = get<number>('batch-bytes')
  const minBytes = get<number>('min-bytes')
  if (minBytes > batchBytes) problems.push(`--min-bytes ${minBytes} is above --batch-bytes ${batchBytes}: it would never be reached`)
  const backoff = get<number>('retry-backoff')
  const backoffMax = get<number>('retry-backoff-max')
  if (backoff > backoffMax) problems.push(`--retry-backoff ${backoff} is above --retry-backoff-max ${backoffMax}`)
  const acks = Number(get<string>('acks') === 'all' ? -1 : get<string>('acks')) as Acks
  const client = get<'kafkajs' | 'wire'>('kafka-client')
  const askedIdempotent = get<boolean | undefined>('idempotent')
  if (askedIdempotent === true && acks !== -1) problems.push(`--idempotent needs --acks all (the idempotent producer requires acknowledgements from all in-sync replicas); got --acks ${get<string>('acks')}. Use --acks all, or --no-idempotent`)
  const compression = get<KafkaTarget['compression']>('compression')
  if (client === 'kafkajs' && compression !== undefined && compression !== 'none' && compression !== 'gzip') {
    problems.push(`--compression ${compression} needs --kafka-client wire: --kafka-client kafkajs compresses with gzip only`)
  }
  if (get<boolean | undefined>('explicit-hash-key') === true && sep === undefined) problems.push('--explicit-hash-key needs --key-separator: the hash key is each line\'s key')
  const security = resolveSecurity(get, problems)
  const dashes = files.filter((f) => f === '-').length
  if (dashes > 1) problems.push(`input files: '-' (stdin) may be given once, got it ${dashes} times`)
  const checkpoint = get<string | undefined>('checkpoint') ?? null
  const checkpointReset = get<boolean | undefined>('checkpoint-reset') ?? false
  if (checkpoint !== null && (files.length === 0 || dashes > 0)) {
    problems.push('--checkpoint needs input files: standard input cannot be read again from where it stopped; name the files instead (kprod --checkpoint FILE ... INPUT...)')
  }
  if (checkpointReset && checkpoint === null) problems.push('--checkpoint-reset needs --checkpoint FILE: it says to ignore that file\'s contents')
  if (problems.length > 0) throw new ConfigError(problems)
  // --quiet: the summary line only, whatever the output flags say.
  const quiet = get<boolean | undefined>('quiet') ?? false

  const common = { name: (kind === 'kafka' ? topic : stream) as string, requestTimeoutMs: get<number>('request-timeout'), connectTimeoutMs: get<number>('connect-timeout') }
  const explicit = (name: OptionName, flag: string | boolean | readonly string[] | undefined): boolean =>
    flag !== undefined || env[envName(spec(name)) ?? ''] !== undefined || fromX.has(name) || fromFile.has(name)
  return {
    input: {
      files,
      maxLineBytes: get('max-line-bytes'),
      keySeparator,
      missingKey: get('missing-key'),
      emptyLines: get('empty-lines'),
      checkpoint,
      checkpointReset,
      format,
      nullEmpty,
      delimiter,
      rawInput: get<boolean | undefined>('raw-input') ?? false
    },
    batch: {
      batchRecords,
      batchRecordsExplicit: explicit('batch-records', flags.batchRecords),
      batchBytes,
      batchBytesExplicit: explicit('batch-bytes', flags.batchBytes),
      minRecords,
      minBytes,
      lingerMs: get('linger')
    },
    producer: {
      workers,
      attempts: get<number | undefined>('attempts') ?? Number.POSITIVE_INFINITY,
      retryBackoffMs: backoff,
      retryBackoffMaxMs: backoffMax,
      deliveryTimeoutMs: get('delivery-timeout'),
      strictPartitioning: get<boolean | undefined>('strict-partitioning') ?? false,
      bufferRecords,
      bufferBytes: get('buffer-bytes'),
      whenFull: get('when-full'),
      drainTimeoutMs: get('drain-timeout'),
      flushTimeoutMs: get('flush-timeout'),
      dryRun: get<boolean | undefined>('dry-run') ?? false,
      rate: rateOf(get<number | undefined>('rate'), get<number | undefined>('rate-bytes'))
    },
    output: {
      failedOutput: get<string | undefined>('failed-output') ?? null,
      statsIntervalMs: quiet ? 0 : get('stats-interval'),
      batchLines: quiet ? false : get('batch-lines'),
      progress: quiet ? false : get('progress')
    },
    target: kind === 'kafka'
      ? {
          kind,
          ...common,
          brokers,
          client,
          acks,
          ackTimeoutMs: get('ack-timeout'),
          connectionMaxIdleMs: get('connection-max-idle'),
          compression,
          idempotent: askedIdempotent ?? (client === 'wire' && acks === -1),
          clientId: get('client-id'),
          logLevel: get('log-level'),
          security,
          headers,
          partitioner: get('partitioner'),
          partition: get<number | undefined>('partition') ?? null,
          partitions
        }
      : {
          kind,
          ...common,
          client: get('kinesis-client'),
          region: get<string | undefined>('region') ?? null,
          endpoint: endpoint ?? null,
          profile: get<string | undefined>('profile') ?? null,
          partitionKey: get('partition-key'),
          explicitHashKey: get<boolean | undefined>('explicit-hash-key') ?? false,
          shardOrdering: get<boolean | undefined>('shard-ordering') ?? false,
          aggregate,
          shardLimit: shardLimit === undefined ? DEFAULT_SHARD_LIMIT : shardLimit
        }
  }
}

/** A --brokers entry that is not host:port with a port of 1..65535, said so at once rather than after --connect-timeout. */
function brokerProblems (broker: string): string[] {
  const m = /^(?:[^\s:[\]]+|\[[0-9a-fA-F:.]+\]):(\d+)$/.exec(broker)
  if (m === null) return [`--brokers: '${broker}' is not host:port (e.g. localhost:9092)`]
  const port = Number(m[1])
  if (port < 1 || port > 65535) return [`--brokers: '${broker}' has port ${m[1]}; allowed: 1..65535`]
  return []
}

/** Kafka's rule for topic names (the broker refuses others with INVALID_TOPIC_EXCEPTION). */
function isTopicName (name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..'
}

/** Variables the scripts and tests use, which are not options. */
const OTHER_ENV = /^KPROD_(TEST_|DEBUG_|KAFKA_(HOME|VERSION|HEAP|TIMEOUT)$|KINESIS_(HOME|TIMEOUT)$|NODE_FLAGS$|TOOLS$)/

/** A KPROD_* variable that names no option is most likely a typo: say which option is closest. */
function warnUnknownEnv (env: Readonly<Record<string, string | undefined>>, warn: (line: string) => void): void {
  const known = new Map<string, OptionSpec>()
  for (const spec of OPTIONS) {
    const name = envName(spec)
    if (name !== null) known.set(name, spec)
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith('KPROD_') || known.has(name) || OTHER_ENV.test(name)) continue
    const guess = nearest(name, [...known.keys()])
    const spec = guess === null ? undefined : known.get(guess)
    warn(`kprod: warning: the environment variable ${name} sets no option (ignored)${spec === undefined ? '' : `; did you mean ${guess ?? ''} (${flagName(spec)})?`}`)
  }
}

/** Options given on the command line that mean nothing for the chosen target. */
function targetProblems (flags: RawValues, kind: 'kafka' | 'kinesis'): string[] {
  const problems: string[] = []
  for (const o of OPTIONS) {
    if (o.only === undefined || o.only === kind || flags[camel(o.name)] === undefined) continue
    if (o.name === 'topic' || o.name === 'stream') continue
    const other = o.only === 'kafka' ? 'Kafka (--topic)' : 'Kinesis (--stream)'
    problems.push(`${flagName(o)} applies to ${other} only; this run sends to ${kind === 'kafka' ? 'Kafka' : 'Kinesis'}`)
  }
  return problems
}

/**
 * --batch-records when it is not given, by what a batch costs each client: the wire client pays
 * per request, so bigger batches are faster and smaller; kafkajs makes objects per record, so
 * bigger batches made it slower and bigger (bench/README.md, "Figures behind constants in src/"). On Kinesis it is 500, what one PutRecords takes.
 */
export const DEFAULT_BATCH_RECORDS = { kafkajs: 1000, wire: 4000 } as const

/**
 * --buffer-records when it is not given. On Kinesis it is one batch waiting per worker: every
 * PutRecords waits on the network far longer than the reader takes to cut the next batch, so a
 * deeper queue buys no throughput and only holds more records and the input chunks under them
 * (bench/README.md, "Figures behind constants in src/").
 */
export const DEFAULT_BUFFER_RECORDS = 20_000

/** Kinesis's published per-shard write limits: 1,000 records/s and 1 MiB/s. */
const DEFAULT_SHARD_LIMIT = { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024 }

/** --shard-limit: 'off' → null, 'R,B' → the limits, anything else → undefined. */
function parseShardLimit (text: string): { recordsPerSecond: number, bytesPerSecond: number } | null | undefined {
  if (text.trim().toLowerCase() === 'off') return null
  const m = /^\s*(\d{1,12})\s*,\s*(\d{1,15})\s*$/.exec(text)
  if (m === null) return undefined
  const recordsPerSecond = Number(m[1])
  const bytesPerSecond = Number(m[2])
  return recordsPerSecond >= 1 && bytesPerSecond >= 1 ? { recordsPerSecond, bytesPerSecond } : undefined
}

/** --batch-records default with --aggregate: user records, about one 1 MiB aggregate of 100-byte lines. */
export const AGGREGATE_BATCH_RECORDS = 10_000

function kinesisLimitProblems (kind: 'kafka' | 'kinesis', flags: RawValues, v: ReadonlyMap<OptionName, Value>): string[] {
  if (kind !== 'kinesis') return []
  const problems: string[] = []
  const records = v.get('batch-records')
  // With --aggregate, --batch-records counts user records, many to one Kinesis record.
  if (v.get('aggregate') !== true && flags.batchRecords !== undefined && typeof records === 'number' && records > MAX_PUT_RECORDS) {
    problems.push(`--batch-records: ${records} is over the ${MAX_PUT_RECORDS} records one Kinesis PutRecords takes; allowed: 1..${MAX_PUT_RECORDS}`)
  }
  const bytes = v.get('batch-bytes')
  if (flags.batchBytes !== undefined && typeof bytes === 'number' && bytes > MAX_PUT_RECORDS_BYTES) {
    problems.push(`--batch-bytes: ${bytes} is over the ${MAX_PUT_RECORDS_BYTES} bytes one Kinesis PutRecords takes; allowed: 1..${MAX_PUT_RECORDS_BYTES}`)
  }
  return problems
}

function rateOf (records: number | undefined, bytes: number | undefined): ProducerConfig['rate'] {
  if (records === undefined && bytes === undefined) return null
  return { recordsPerSec: records ?? null, bytesPerSec: bytes ?? null }
}

function spec (name: OptionName): OptionSpec {
  return OPTIONS.find((o) => o.name === name) as OptionSpec
}

/** 'batch-records' → 'batchRecords', commander's attribute name. */
export function camel (name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** --header name=value texts as headers; the name is everything before the first '='. */
function parseHeaders (texts: readonly string[], problems: string[]): RecordHeader[] {
  const out: RecordHeader[] = []
  for (const text of texts) {
    const eq = text.indexOf('=')
    if (eq <= 0) {
      problems.push(`--header '${text}' is not valid: ${eq === 0 ? 'the name is empty' : 'there is no \'=\''}; give name=value, e.g. --header source=app1 (the value may be empty)`)
      continue
    }
    out.push({ name: text.slice(0, eq), value: Buffer.from(text.slice(eq + 1), 'utf8') })
  }
  return out
}

function convert (spec: OptionSpec, text: string | boolean | readonly string[], where: string, problems: string[]): Value {
  if (spec.kind === 'repeat') {
    // Flags give each value; a KPROD_* variable gives one a line.
    return typeof text === 'string' ? text.split('\n').filter((x) => x !== '') : text as readonly string[]
  }
  if (typeof text === 'object') return undefined
  if (spec.kind === 'boolean') {
    if (typeof text === 'boolean') return text
    if (/^(1|true|yes|on)$/i.test(text)) return true
    if (/^(0|false|no|off)$/i.test(text)) return false
    problems.push(`${where}: '${text}' is not a boolean; use true or false`)
    return undefined
  }
  const s = String(text)
  switch (spec.kind) {
    case 'int': return toInt(spec, s, where, problems)
    case 'rate': return parseRate(spec.name === 'rate' ? RATE_RECORDS : RATE_BYTES, s, where, problems)
    case 'choice': {
      const choice = spec.ignoreCase === true ? spec.choices?.find((c) => c.toLowerCase() === s.toLowerCase()) : spec.choices?.find((c) => c === s)
      if (choice !== undefined) return choice
      problems.push(`${where}: '${s}' is not allowed; choose one of ${(spec.choices ?? []).join(', ')}`)
      return undefined
    }
    case 'list': {
      const items = s.split(',').map((x) => x.trim()).filter((x) => x !== '')
      if (items.length === 0) problems.push(`${where}: '${s}' is empty; give a comma-separated list`)
      return items
    }
    default:
      if (s === '') problems.push(`${where}: the value is empty`)
      return s
  }
}

function toInt (spec: OptionSpec, s: string, where: string, problems: string[]): number | undefined {
  const range = `${spec.min ?? 0}..${spec.max ?? Number.MAX_SAFE_INTEGER}`
  if (!/^-?\d+$/.test(s.trim())) {
    problems.push(`${where}: '${s}' is not a whole number; allowed: ${range}`)
    return undefined
  }
  const n = Number(s)
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max) || !Number.isSafeInteger(n)) {
    problems.push(`${where}: ${s} is out of range; allowed: ${range}`)
    return undefined
  }
  return n
}

function parsePartitions (items: readonly string[], problems: string[]): number[] {
  const out: number[] = []
  for (const item of items) {
    if (!/^\d+$/.test(item)) {
      problems.push(`--partitions: '${item}' is not a partition number; give a comma-separated list like 0,1,2`)
      continue
    }
    const n = Number(item)
    if (out.includes(n)) problems.push(`--partitions: partition ${n} is listed twice`)
    else out.push(n)
  }
  return out
}
