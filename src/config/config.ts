// Turns raw option text (flags, then KPROD_* variables, then defaults) into one fully resolved,
// read-only Config. Every problem is collected and reported at once, each naming its flag.

import { ConfigError } from '../errors.ts'
import { parseKeySeparator } from '../input/parse.ts'
import type { RecordHeader } from '../record.ts'
import { OPTIONS, envName, flagName, type OptionSpec } from './options.ts'
import { MAX_BATCH_BYTES as MAX_PUT_RECORDS_BYTES, MAX_BATCH_RECORDS as MAX_PUT_RECORDS } from '../transports/kinesis/limits.ts'

export type Acks = -1 | 0 | 1

export interface Config {
  /** kafka with --topic, kinesis with --stream. */
  readonly kind: 'kafka' | 'kinesis'
  /** The topic or stream name. */
  readonly target: string
  readonly brokers: readonly string[]
  readonly files: readonly string[]

  readonly maxLineBytes: number
  readonly keySeparator: Buffer | null
  readonly missingKey: 'skip' | 'null-key'
  readonly emptyLines: 'send' | 'skip'
  readonly format: 'lines' | 'json'
  /** --header: on every record, after the record's own. */
  readonly headers: readonly RecordHeader[]
  /** -Z: an empty value is sent as null. */
  readonly nullEmpty: boolean
  /** -D: the bytes that end a record; null: LF, one trailing CR removed. */
  readonly delimiter: Buffer | null
  /** --raw-input: gzip and zstd input is not decompressed. */
  readonly rawInput: boolean

  readonly batchRecords: number
  /** True when the user chose --batch-records: lowering it to fit the topic is then worth a warning. */
  readonly batchRecordsExplicit: boolean
  readonly batchBytes: number
  /** True when the user chose --batch-bytes: lowering it to fit the topic is then worth a warning. */
  readonly batchBytesExplicit: boolean
  readonly minRecords: number
  readonly minBytes: number
  readonly lingerMs: number
  readonly partitioner: 'murmur2' | 'fnv1a'
  readonly partition: number | null

  readonly partitions: readonly number[] | null
  readonly workers: number
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

  readonly kafkaClient: 'kafkajs' | 'wire'
  readonly kinesisClient: 'sdk' | 'http'
  readonly acks: Acks
  readonly ackTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly connectionMaxIdleMs: number
  readonly compression: 'none' | 'gzip'
  readonly idempotent: boolean
  readonly clientId: string
  readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug'

  readonly region: string | null
  readonly endpoint: string | null
  readonly partitionKey: 'random' | 'hash'
  readonly explicitHashKey: boolean
  readonly shardOrdering: boolean

  readonly failedOutput: string | null
  readonly statsIntervalMs: number
  readonly batchLines: boolean
  readonly progress: boolean
}

/** Option values as commander gives them: strings for valued options, booleans for switches. */
export type RawValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>

type Value = string | number | boolean | readonly string[] | undefined

/** Resolves and validates everything; throws one ConfigError listing every problem. */
export function resolveConfig (flags: RawValues, env: Readonly<Record<string, string | undefined>>, files: readonly string[]): Config {
  const problems: string[] = []
  const v = new Map<string, Value>()
  for (const spec of OPTIONS) {
    const fromFlag = flags[camel(spec.name)]
    const fromEnv = env[envName(spec)]
    let text: string | boolean | readonly string[] | undefined = fromFlag
    let where = flagName(spec)
    if (text === undefined && fromEnv !== undefined && fromEnv !== '') {
      text = fromEnv
      where = `${envName(spec)} (${flagName(spec)})`
    }
    if (text === undefined) text = spec.default
    v.set(spec.name, text === undefined ? undefined : convert(spec, text, where, problems))
  }
  const get = <T extends Value>(name: string): T => v.get(name) as T

  const topic = get<string | undefined>('topic')
  const stream = get<string | undefined>('stream')
  const kind = stream !== undefined && topic === undefined ? 'kinesis' : 'kafka'
  if (topic === undefined && stream === undefined) problems.push('--topic or --stream is required: name the Kafka topic (e.g. --topic logs) or the Kinesis stream (e.g. --stream logs)')
  if (topic !== undefined && stream !== undefined) problems.push(`--topic '${topic}' and --stream '${stream}' were both given: kprod sends to one target, choose one`)
  problems.push(...targetProblems(flags, kind))
  problems.push(...kinesisLimitProblems(kind, flags, v))
  const endpoint = get<string | undefined>('endpoint')
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) problems.push(`--endpoint: '${endpoint}' is not an http:// or https:// URL (e.g. http://127.0.0.1:4567)`)
  const brokers = get<readonly string[]>('brokers')
  for (const broker of brokers ?? []) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
      problems.push(`--brokers: '${broker}' is not host:port (e.g. localhost:9092)`)
    }
  }
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

  const batchRecords = get<number | undefined>('batch-records') ?? (kind === 'kinesis' ? MAX_PUT_RECORDS : DEFAULT_BATCH_RECORDS[get<'kafkajs' | 'wire'>('kafka-client')])
  const workers = get<number>('workers')
  const bufferRecords = get<number | undefined>('buffer-records') ??
    (kind === 'kinesis' ? workers * Math.min(batchRecords, MAX_PUT_RECORDS) : DEFAULT_BUFFER_RECORDS)
  const minRecords = get<number | undefined>('min-records') ?? batchRecords
  if (minRecords > batchRecords) problems.push(`--min-records ${minRecords} is above --batch-records ${batchRecords}: it would never be reached`)
  const batchBytes = get<number>('batch-bytes')
  const minBytes = get<number>('min-bytes')
  if (minBytes > batchBytes) problems.push(`--min-bytes ${minBytes} is above --batch-bytes ${batchBytes}: it would never be reached`)
  const backoff = get<number>('retry-backoff')
  const backoffMax = get<number>('retry-backoff-max')
  if (backoff > backoffMax) problems.push(`--retry-backoff ${backoff} is above --retry-backoff-max ${backoffMax}`)
  const acks = Number(get<string>('acks') === 'all' ? -1 : get<string>('acks')) as Acks
  if (get<boolean>('idempotent') && get<string>('kafka-client') === 'wire') problems.push('--idempotent needs --kafka-client kafkajs: the wire client has no idempotent producer')
  if (get<boolean>('idempotent') && acks !== -1) problems.push('--idempotent needs --acks all (the idempotent producer requires acknowledgements from all in-sync replicas)')
  if (get<boolean | undefined>('explicit-hash-key') === true && sep === undefined) problems.push('--explicit-hash-key needs --key-separator: the hash key is each line\'s key')
  const dashes = files.filter((f) => f === '-').length
  if (dashes > 1) problems.push(`input files: '-' (stdin) may be given once, got it ${dashes} times`)
  if (problems.length > 0) throw new ConfigError(problems)

  return {
    kind,
    target: (kind === 'kafka' ? topic : stream) as string,
    brokers,
    files,
    maxLineBytes: get('max-line-bytes'),
    keySeparator,
    missingKey: get('missing-key'),
    emptyLines: get('empty-lines'),
    format,
    headers,
    nullEmpty,
    delimiter,
    rawInput: get<boolean | undefined>('raw-input') ?? false,
    batchRecords,
    batchRecordsExplicit: flags.batchRecords !== undefined || env[envName(spec('batch-records'))] !== undefined,
    batchBytes,
    batchBytesExplicit: flags.batchBytes !== undefined || env[envName(spec('batch-bytes'))] !== undefined,
    minRecords,
    minBytes,
    lingerMs: get('linger'),
    partitioner: get('partitioner'),
    partition: get<number | undefined>('partition') ?? null,
    partitions,
    workers,
    attempts: get('attempts'),
    retryBackoffMs: backoff,
    retryBackoffMaxMs: backoffMax,
    deliveryTimeoutMs: get('delivery-timeout'),
    strictPartitioning: get<boolean | undefined>('strict-partitioning') ?? false,
    bufferRecords,
    bufferBytes: get('buffer-bytes'),
    whenFull: get('when-full'),
    drainTimeoutMs: get('drain-timeout'),
    flushTimeoutMs: get('flush-timeout'),
    kafkaClient: get('kafka-client'),
    kinesisClient: get('kinesis-client'),
    acks,
    ackTimeoutMs: get('ack-timeout'),
    requestTimeoutMs: get('request-timeout'),
    connectTimeoutMs: get('connect-timeout'),
    connectionMaxIdleMs: get('connection-max-idle'),
    compression: get('compression'),
    idempotent: get<boolean | undefined>('idempotent') ?? false,
    clientId: get('client-id'),
    logLevel: get('log-level'),
    region: get<string | undefined>('region') ?? null,
    endpoint: endpoint ?? null,
    partitionKey: get('partition-key'),
    explicitHashKey: get<boolean | undefined>('explicit-hash-key') ?? false,
    shardOrdering: get<boolean | undefined>('shard-ordering') ?? false,
    failedOutput: get<string | undefined>('failed-output') ?? null,
    statsIntervalMs: get('stats-interval'),
    batchLines: get('batch-lines'),
    progress: get('progress')
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
 * --batch-records when it is not given, by what a batch costs each client (W1, interleaved runs):
 * the wire client pays per request, and 4000 records a batch took 442 -> 401 ms, 0.48 -> 0.41
 * CPU s and 108 -> 93 MB; kafkajs makes objects per record, and 4000 made it slower and bigger
 * (3.8 -> 4.8 s, 175 -> 269 MB). On Kinesis it is 500, what one PutRecords takes.
 */
export const DEFAULT_BATCH_RECORDS = { kafkajs: 1000, wire: 4000 } as const

/**
 * --buffer-records when it is not given. On Kinesis it is one batch waiting per worker: every
 * PutRecords waits on the network far longer than the reader takes to cut the next batch, so a
 * deeper queue buys no throughput and only holds more records and the input chunks under them
 * (1M x 100 B on the loopback stub, 8 workers, 6 interleaved runs: 20000 buffered peaked at
 * 149/156 MB median/max, 4000 at 141/146, in the same wall time; the saving is external memory,
 * 26-34 against 21-26 MB at its peak; bench/README.md).
 */
export const DEFAULT_BUFFER_RECORDS = 20_000

function kinesisLimitProblems (kind: 'kafka' | 'kinesis', flags: RawValues, v: Map<string, Value>): string[] {
  if (kind !== 'kinesis') return []
  const problems: string[] = []
  const records = v.get('batch-records')
  if (flags.batchRecords !== undefined && typeof records === 'number' && records > MAX_PUT_RECORDS) {
    problems.push(`--batch-records: ${records} is over the ${MAX_PUT_RECORDS} records one Kinesis PutRecords takes; allowed: 1..${MAX_PUT_RECORDS}`)
  }
  const bytes = v.get('batch-bytes')
  if (flags.batchBytes !== undefined && typeof bytes === 'number' && bytes > MAX_PUT_RECORDS_BYTES) {
    problems.push(`--batch-bytes: ${bytes} is over the ${MAX_PUT_RECORDS_BYTES} bytes one Kinesis PutRecords takes; allowed: 1..${MAX_PUT_RECORDS_BYTES}`)
  }
  return problems
}

function spec (name: string): OptionSpec {
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
    case 'choice':
      if (spec.choices?.includes(s) === true) return s
      problems.push(`${where}: '${s}' is not allowed; choose one of ${(spec.choices ?? []).join(', ')}`)
      return undefined
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
