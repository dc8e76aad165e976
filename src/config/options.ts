// The single option table. It feeds commander (flags and --help), the KPROD_* environment
// variables, config validation and the man-page test, so a flag documented anywhere exists here.

export type OptionKind = 'string' | 'int' | 'boolean' | 'choice' | 'list' | 'path' | 'repeat'

export const OPTION_GROUPS = ['Target', 'Input', 'Batching', 'Producer', 'Kafka', 'Kinesis', 'Output'] as const
export type OptionGroup = typeof OPTION_GROUPS[number]

/** One command-line option. Defaults are given as the text a user would type. */
export interface OptionSpec {
  /** Long flag without dashes, e.g. 'batch-records'. Also the config key source and env var source. */
  readonly name: string
  readonly short?: string
  /** Placeholder shown in help, e.g. '<n>'; absent for booleans. */
  readonly arg?: string
  readonly kind: OptionKind
  readonly choices?: readonly string[]
  readonly default?: string
  readonly min?: number
  readonly max?: number
  readonly group: OptionGroup
  readonly help: string
  /** Set for options that mean something for one target only; giving them for the other is an error. */
  readonly only?: 'kafka' | 'kinesis'
}

const MS = 'milliseconds'

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'topic', short: 't', arg: '<name>', kind: 'string', group: 'Target', only: 'kafka', help: 'Kafka topic to produce to (this or --stream is required). The topic must exist: kprod never creates topics' },
  { name: 'brokers', short: 'b', arg: '<list>', kind: 'list', default: 'localhost:9092', group: 'Target', only: 'kafka', help: 'comma-separated host:port Kafka bootstrap brokers' },
  { name: 'stream', short: 's', arg: '<name>', kind: 'string', group: 'Target', only: 'kinesis', help: 'Kinesis data stream to put records to (this or --topic is required)' },

  { name: 'max-line-bytes', arg: '<n>', kind: 'int', default: '1048576', min: 1, max: 1073741824, group: 'Input', help: 'longest line accepted, in bytes between LFs (a trailing CR counts); longer lines are skipped and reported with their line number' },
  { name: 'key-separator', arg: '<sep>', kind: 'string', group: 'Input', help: 'split each line at the first <sep> into key and value; escapes \\t, \\\\, \\0 and \\xHH are understood' },
  { name: 'missing-key', arg: '<mode>', kind: 'choice', choices: ['skip', 'null-key'], default: 'skip', group: 'Input', help: 'with --key-separator, what to do with a line that has no separator: skip it, or send the whole line with a null key' },
  { name: 'delimiter', short: 'D', arg: '<delim>', kind: 'string', group: 'Input', help: 'records end at these bytes instead of LF, with nothing stripped (e.g. \\0 for find -print0); escapes as --key-separator, plus \\n and \\r; --failed-output then ends each record with it too' },
  { name: 'raw-input', kind: 'boolean', group: 'Input', help: 'send input as read: without it, a file or stdin that starts with the gzip or zstd magic bytes is read decompressed' },
  { name: 'format', arg: '<format>', kind: 'choice', choices: ['lines', 'json'], default: 'lines', group: 'Input', help: 'lines: each line is a value (with --key-separator, a key and a value); json: each line is an object {"key", "value" (null: a tombstone), "headers", "timestamp", "partition"}, with "key_b64"/"value_b64" for binary, and kcat -J output read as is' },
  { name: 'header', short: 'H', arg: '<name=value>', kind: 'repeat', group: 'Input', only: 'kafka', help: 'add this header to every record; repeat for more headers (in KPROD_HEADER, one name=value a line)' },
  { name: 'null-empty', short: 'Z', kind: 'boolean', group: 'Input', only: 'kafka', help: 'send an empty value as null, a tombstone that deletes its key from a compacted topic (as kcat -Z)' },
  { name: 'empty-lines', arg: '<mode>', kind: 'choice', choices: ['send', 'skip'], default: 'send', group: 'Input', help: 'send empty lines as empty records, or skip them' },

  { name: 'batch-records', arg: '<n>', kind: 'int', min: 1, max: 10000, group: 'Batching', help: 'most records in one batch (one produce request); default 1000, 4000 with --kafka-client wire, and 500 on Kinesis, the most one PutRecords takes' },
  { name: 'batch-bytes', arg: '<n>', kind: 'int', default: '1048576', min: 1, group: 'Batching', help: 'most key+value bytes in one batch; lowered to fit the topic\'s max.message.bytes' },
  { name: 'min-records', arg: '<n>', kind: 'int', min: 0, group: 'Batching', help: 'cut a batch as soon as it holds this many records and --min-bytes bytes (default: --batch-records)' },
  { name: 'min-bytes', arg: '<n>', kind: 'int', default: '0', min: 0, group: 'Batching', help: 'see --min-records' },
  { name: 'linger', arg: '<ms>', kind: 'int', default: '10', min: 0, max: 3600000, group: 'Batching', help: `send a batch at most this many ${MS} after its first record, full or not` },
  { name: 'partitioner', only: 'kafka', arg: '<name>', kind: 'choice', choices: ['murmur2', 'fnv1a'], default: 'murmur2', group: 'Batching', help: 'partitioner for keyed records: murmur2 (the Java client\'s) or fnv1a (the seed\'s); unkeyed records go to the next idle partition' },
  { name: 'partition', only: 'kafka', arg: '<n>', kind: 'int', min: 0, group: 'Batching', help: 'send every record to this partition' },

  { name: 'partitions', only: 'kafka', arg: '<list>', kind: 'list', group: 'Producer', help: 'comma-separated partitions this producer may write to, in round-robin order (default: all of the topic\'s)' },
  { name: 'workers', arg: '<n>', kind: 'int', default: '8', min: 1, max: 1024, group: 'Producer', help: 'most produce requests in flight at once (never more than one per partition)' },
  { name: 'attempts', arg: '<n>', kind: 'int', default: '10', min: 1, max: 1000, group: 'Producer', help: 'attempts per batch, the first included (1 = no retry)' },
  { name: 'retry-backoff', arg: '<ms>', kind: 'int', default: '100', min: 0, group: 'Producer', help: `sleep before the second attempt, in ${MS}; doubles per attempt, jittered` },
  { name: 'retry-backoff-max', arg: '<ms>', kind: 'int', default: '5000', min: 0, group: 'Producer', help: `longest sleep between attempts, in ${MS}` },
  { name: 'delivery-timeout', arg: '<ms>', kind: 'int', default: '120000', min: 1, group: 'Producer', help: `no attempt starts later than this many ${MS} after a batch was cut` },
  { name: 'strict-partitioning', only: 'kafka', kind: 'boolean', group: 'Producer', help: 'retry unkeyed batches on the same partition instead of the next idle one (keyed batches never move)' },
  { name: 'buffer-records', arg: '<n>', kind: 'int', min: 1, group: 'Producer', help: 'most records waiting for the producer (see --when-full); default 20000, and on Kinesis --workers × --batch-records (4000): one PutRecords ready per worker, since a deeper queue only holds memory while every request waits on the network' },
  { name: 'buffer-bytes', arg: '<n>', kind: 'int', default: '16777216', min: 1, group: 'Producer', help: 'most key+value bytes the producer holds, in flight included (see --when-full); with long lines this bound is reached before --buffer-records' },
  { name: 'when-full', arg: '<mode>', kind: 'choice', choices: ['block', 'error', 'drop'], default: 'block', group: 'Producer', help: 'when --buffer-records or --buffer-bytes are reached: block (pause reading), error (fail the batch and stop reading) or drop (fail the batch, counted as dropped, and go on)' },
  { name: 'drain-timeout', arg: '<ms>', kind: 'int', default: '10000', min: 0, group: 'Producer', help: `after SIGINT/SIGTERM, how long to keep sending what is buffered, in ${MS}` },
  { name: 'flush-timeout', arg: '<ms>', kind: 'int', default: '0', min: 0, group: 'Producer', help: `after end of input, how long to keep sending what is buffered, in flight or waiting for a retry, in ${MS}; then give up on it (exit 4; 0 = until --delivery-timeout)` },

  { name: 'kafka-client', only: 'kafka', arg: '<client>', kind: 'choice', choices: ['kafkajs', 'wire'], default: 'kafkajs', group: 'Kafka', help: 'Kafka client: kafkajs, or wire (kprod\'s own protocol client: encodes each batch straight from the input lines, several times faster; no --idempotent)' },
  { name: 'acks', only: 'kafka', arg: '<acks>', kind: 'choice', choices: ['all', '-1', '1', '0'], default: 'all', group: 'Kafka', help: 'acknowledgements required: all (-1), 1 (leader) or 0 (none: delivered means written to the socket, offsets unknown)' },
  { name: 'ack-timeout', only: 'kafka', arg: '<ms>', kind: 'int', default: '30000', min: 1, group: 'Kafka', help: `how long the broker waits for replica acknowledgements, in ${MS}` },
  { name: 'request-timeout', arg: '<ms>', kind: 'int', default: '30000', min: 1, group: 'Producer', help: `how long kprod waits for the answer to one request, in ${MS}` },
  { name: 'connect-timeout', arg: '<ms>', kind: 'int', default: '10000', min: 1, group: 'Producer', help: `how long to try reaching the target at start before exiting with code 3, in ${MS}` },
  { name: 'connection-max-idle', only: 'kafka', arg: '<ms>', kind: 'int', default: '0', min: 0, group: 'Kafka', help: `close broker connections idle for this many ${MS} (0 = never)` },
  { name: 'compression', only: 'kafka', arg: '<codec>', kind: 'choice', choices: ['none', 'gzip'], default: 'none', group: 'Kafka', help: 'batch compression' },
  { name: 'idempotent', only: 'kafka', kind: 'boolean', group: 'Kafka', help: 'use the idempotent producer (needs --acks all; kafkajs then retries inside one exchange, which the output notes)' },
  { name: 'client-id', only: 'kafka', arg: '<id>', kind: 'string', default: 'kprod', group: 'Kafka', help: 'client id sent to the brokers' },
  { name: 'log-level', only: 'kafka', arg: '<level>', kind: 'choice', choices: ['nothing', 'error', 'warn', 'info', 'debug'], default: 'warn', group: 'Kafka', help: 'Kafka client log level (logs go to stderr)' },

  { name: 'region', arg: '<region>', kind: 'string', group: 'Kinesis', only: 'kinesis', help: 'AWS region (default: the SDK\'s chain: AWS_REGION, the profile, ...); credentials are always the ones the SDK\'s default chain finds (AWS_ACCESS_KEY_ID..., AWS_PROFILE, SSO, a role, instance metadata)' },
  { name: 'kinesis-client', only: 'kinesis', arg: '<client>', kind: 'choice', choices: ['sdk', 'http'], default: 'sdk', group: 'Kinesis', help: 'how PutRecords is sent: sdk (@aws-sdk/client-kinesis), or http (kprod writes and signs each request itself, straight from the input lines: less CPU and memory; with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, no AWS_PROFILE, and --region or AWS_REGION, the AWS SDK is not even loaded, else it finds credentials, region and endpoint; the summary notes say which)' },
  { name: 'endpoint', arg: '<url>', kind: 'string', group: 'Kinesis', only: 'kinesis', help: 'Kinesis-compatible endpoint URL, e.g. http://127.0.0.1:4567 for an emulator' },
  { name: 'partition-key', arg: '<mode>', kind: 'choice', choices: ['random', 'hash'], default: 'random', group: 'Kinesis', only: 'kinesis', help: 'partition key of a record without a key: random (spreads over shards) or hash (hex MD5 of the line: the same line always lands on the same shard)' },
  { name: 'explicit-hash-key', kind: 'boolean', group: 'Kinesis', only: 'kinesis', help: 'send each record\'s key (from --key-separator) as its ExplicitHashKey too, so the key picks the shard\'s hash range directly instead of through MD5; a key that is not a decimal number from 0 to 2^128-1 is skipped with its line number' },
  { name: 'shard-ordering', kind: 'boolean', group: 'Kinesis', only: 'kinesis', help: 'keep per-key order: batch by shard, one request in flight per shard, a record waits while an earlier record of its shard is retried' },

  { name: 'failed-output', arg: '<file>', kind: 'path', group: 'Output', help: 'write every line that was not delivered to <file>, byte for byte, ready to re-send with kprod' },
  { name: 'stats-interval', arg: '<ms>', kind: 'int', default: '5000', min: 0, group: 'Output', help: `print a stats line every this many ${MS} (0 = never)` },
  { name: 'batch-lines', kind: 'boolean', default: 'true', group: 'Output', help: 'print one JSON line per batch (--no-batch-lines: stats and summary only)' },
  { name: 'progress', kind: 'boolean', default: 'true', group: 'Output', help: 'show a progress bar on stderr when stderr is a terminal and stdout is not (--no-progress to hide it)' }
]

/** The KPROD_* environment variable for an option: KPROD_ + name in upper snake case. */
export function envName (spec: OptionSpec): string {
  return 'KPROD_' + spec.name.toUpperCase().replaceAll('-', '_')
}

/** The flag as written on the command line, e.g. --batch-records. */
export function flagName (spec: OptionSpec): string {
  return '--' + spec.name
}
