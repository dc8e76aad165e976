// The single option table. It feeds commander (flags and --help), the KPROD_* environment
// variables, config validation and the man-page test, so a flag documented anywhere exists here.

export type OptionKind = 'string' | 'int' | 'boolean' | 'choice' | 'list' | 'path' | 'repeat' | 'rate'

export const OPTION_GROUPS = ['Target', 'Input', 'Batching', 'Producer', 'Kafka', 'Security', 'Kinesis', 'Output'] as const
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
  /** A boolean without a fixed default that has both --name and --no-name (config.ts decides when neither is given). */
  readonly negatable?: boolean
  /** Choices match without regard to case (security.protocol values, SASL mechanism names). */
  readonly ignoreCase?: boolean
  /** A secret: never echoed in any message. */
  readonly secret?: boolean
  /** No KPROD_* variable sets it (-X, which is given once per property). */
  readonly noEnv?: boolean
}

const MS = 'milliseconds'

/**
 * The largest delay Node's timers take: setTimeout turns anything above 2^31-1 ms into 1 ms.
 * Every option given in ms ends up in a timer, or in a Kafka int32 field (--ack-timeout).
 */
export const MAX_MS = 2 ** 31 - 1
/** Kafka's int32 fields (partition ids, byte sizes of a batch) hold at most this. */
export const MAX_INT32 = 2 ** 31 - 1

/**
 * Typed `as const`, so the names are a type (OptionName): config.ts reads values through them, and
 * a misspelt name there is a compile error rather than an undefined value. Read it through OPTIONS.
 */
const TABLE = [
  { name: 'topic', short: 't', arg: '<name>', kind: 'string', group: 'Target', only: 'kafka', help: 'Kafka topic to produce to (this or --stream is required). The topic must exist: kprod never creates topics' },
  { name: 'brokers', short: 'b', arg: '<list>', kind: 'list', default: 'localhost:9092', group: 'Target', only: 'kafka', help: 'comma-separated host:port Kafka bootstrap brokers' },
  { name: 'config', short: 'F', arg: '<file>', kind: 'path', group: 'Target', help: 'read settings from a librdkafka-style properties file (key=value lines, # comments), e.g. the one kcat -F uses: bootstrap.servers, security.protocol, sasl.*, ssl.*, compression.codec, acks, linger.ms, ... (README: Secure clusters); flags, -X and KPROD_* variables win over it' },
  { name: 'property', short: 'X', arg: '<key=value>', kind: 'repeat', noEnv: true, group: 'Target', help: 'set one librdkafka-style property, as kcat -X (repeatable; wins over KPROD_* variables and --config, a flag wins over it); an unknown property is an error' },
  { name: 'stream', short: 's', arg: '<name>', kind: 'string', group: 'Target', only: 'kinesis', help: 'Kinesis data stream to put records to (this or --topic is required)' },

  { name: 'max-line-bytes', arg: '<n>', kind: 'int', default: '1048576', min: 1, max: 1073741824, group: 'Input', help: 'longest line accepted, in bytes between LFs (a trailing CR counts); longer lines are skipped and reported with their line number' },
  { name: 'key-separator', arg: '<sep>', kind: 'string', group: 'Input', help: 'split each line at the first <sep> into key and value; escapes \\t, \\\\, \\0 and \\xHH are understood' },
  { name: 'missing-key', arg: '<mode>', kind: 'choice', choices: ['skip', 'null-key'], default: 'skip', group: 'Input', help: 'with --key-separator, what to do with a line that has no separator: skip it, or send the whole line with a null key' },
  { name: 'checkpoint', arg: '<file>', kind: 'path', group: 'Input', help: 'keep each input file\'s progress in <file>, written after every batch result (before its batch line) and at exit, so that after a kill -9 only the lines of batches in flight or waiting for a retry are sent twice; run the same command again to send only what was not delivered: lines delivered or skipped before are counted as alreadyDone in the summary, failed, unknown and unsent ones are sent again. Files only, not stdin; a file that changed (other inode, smaller, or other first bytes) is an error' },
  { name: 'checkpoint-reset', kind: 'boolean', group: 'Input', help: 'with --checkpoint: ignore what the checkpoint file holds and start over (needed when an input file changed)' },
  { name: 'delimiter', short: 'D', arg: '<delim>', kind: 'string', group: 'Input', help: 'records end at these bytes instead of LF, with nothing stripped (e.g. \\0 for find -print0); escapes as --key-separator, plus \\n and \\r; --failed-output then ends each record with it too' },
  { name: 'raw-input', kind: 'boolean', group: 'Input', help: 'send input as read: without it, a file or stdin that starts with the gzip or zstd magic bytes is read decompressed' },
  { name: 'format', arg: '<format>', kind: 'choice', choices: ['lines', 'json'], default: 'lines', group: 'Input', help: 'lines: each line is a value (with --key-separator, a key and a value); json: each line is an object {"key", "value" (null: a tombstone), "headers", "timestamp", "partition"}, with "key_b64"/"value_b64" for binary, and kcat -J output read as is' },
  { name: 'header', short: 'H', arg: '<name=value>', kind: 'repeat', group: 'Input', only: 'kafka', help: 'add this header to every record; repeat for more headers (in KPROD_HEADER, one name=value a line)' },
  { name: 'null-empty', short: 'Z', kind: 'boolean', group: 'Input', only: 'kafka', help: 'send an empty value as null, a tombstone that deletes its key from a compacted topic (as kcat -Z)' },
  { name: 'empty-lines', arg: '<mode>', kind: 'choice', choices: ['send', 'skip'], default: 'send', group: 'Input', help: 'send empty lines as empty records, or skip them' },

  { name: 'batch-records', arg: '<n>', kind: 'int', min: 1, max: 10000, group: 'Batching', help: 'most records in one batch (one produce request); default 4000 (wire client), 1000 with --kafka-client kafkajs, and 500 on Kinesis, the most one PutRecords takes' },
  { name: 'batch-bytes', arg: '<n>', kind: 'int', default: '1048576', min: 1, max: MAX_INT32, group: 'Batching', help: 'most key+value bytes in one batch; lowered to fit the topic\'s max.message.bytes' },
  { name: 'min-records', arg: '<n>', kind: 'int', min: 0, max: 10000, group: 'Batching', help: 'cut a batch as soon as it holds this many records and --min-bytes bytes (default: --batch-records)' },
  { name: 'min-bytes', arg: '<n>', kind: 'int', default: '0', min: 0, max: MAX_INT32, group: 'Batching', help: 'see --min-records' },
  { name: 'linger', arg: '<ms>', kind: 'int', default: '10', min: 0, max: 3600000, group: 'Batching', help: `send a batch at most this many ${MS} after its first record, full or not` },
  { name: 'partitioner', only: 'kafka', arg: '<name>', kind: 'choice', choices: ['murmur2', 'fnv1a'], default: 'murmur2', group: 'Batching', help: 'partitioner for keyed records: murmur2 (the Java client\'s) or fnv1a (FNV-1a of the key); unkeyed records go to the next idle partition' },
  { name: 'partition', only: 'kafka', arg: '<n>', kind: 'int', min: 0, max: MAX_INT32, group: 'Batching', help: 'send every record to this partition' },

  { name: 'partitions', only: 'kafka', arg: '<list>', kind: 'list', group: 'Producer', help: 'comma-separated partitions this producer may write to, in round-robin order (default: all of the topic\'s)' },
  { name: 'workers', arg: '<n>', kind: 'int', default: '8', min: 1, max: 1024, group: 'Producer', help: 'most produce requests in flight at once (never more than one per partition)' },
  { name: 'attempts', arg: '<n>', kind: 'int', min: 1, max: MAX_INT32, group: 'Producer', help: 'most attempts per batch, the first included (1 = no retry); default: no limit but --delivery-timeout, as the Java producer\'s delivery.timeout.ms' },
  { name: 'retry-backoff', arg: '<ms>', kind: 'int', default: '100', min: 0, max: MAX_MS, group: 'Producer', help: `sleep before the second attempt, in ${MS}; doubles per attempt, jittered` },
  { name: 'retry-backoff-max', arg: '<ms>', kind: 'int', default: '5000', min: 0, max: MAX_MS, group: 'Producer', help: `longest sleep between attempts, in ${MS}` },
  { name: 'delivery-timeout', arg: '<ms>', kind: 'int', default: '120000', min: 1, max: MAX_MS, group: 'Producer', help: `retry a batch until this many ${MS} after it was cut (no attempt starts later), however many attempts that takes unless --attempts caps them` },
  { name: 'strict-partitioning', only: 'kafka', kind: 'boolean', group: 'Producer', help: 'retry unkeyed batches on the same partition instead of the next idle one (keyed batches never move)' },
  { name: 'buffer-records', arg: '<n>', kind: 'int', min: 1, max: MAX_INT32, group: 'Producer', help: 'most records waiting for the producer (see --when-full); default 20000, and on Kinesis --workers × --batch-records (4000): one PutRecords ready per worker, since a deeper queue only holds memory while every request waits on the network' },
  { name: 'buffer-bytes', arg: '<n>', kind: 'int', default: '16777216', min: 1, max: Number.MAX_SAFE_INTEGER, group: 'Producer', help: 'most key+value bytes the producer holds, in flight included (see --when-full); with long lines this bound is reached before --buffer-records' },
  { name: 'when-full', arg: '<mode>', kind: 'choice', choices: ['block', 'error', 'drop'], default: 'block', group: 'Producer', help: 'when --buffer-records or --buffer-bytes are reached: block (pause reading), error (fail the batch and stop reading) or drop (fail the batch, counted as dropped, and go on)' },
  { name: 'rate', arg: '<n[/s]>', kind: 'rate', group: 'Producer', help: 'send at most <n> records per second, evenly (a token bucket holding 50 ms of the rate: batches are cut to that size and handed to the producer as the rate allows, and reading waits while --buffer-records are held); k (1000), M and G may follow <n>, and /s, e.g. 5k/s; 1..1000000000. Stats lines show it as rateLimit' },
  { name: 'rate-bytes', arg: '<n[/s]>', kind: 'rate', group: 'Producer', help: 'send at most <n> key+value bytes per second, evenly, as --rate (both may be given); k (1024), M (1024^2) and G (1024^3) may follow <n>, and /s, e.g. 10M/s; 1..1099511627776' },
  { name: 'dry-run', kind: 'boolean', group: 'Producer', help: 'connect (Kafka metadata, Kinesis ListShards), then read, check, batch and place every record as a real run would, and send nothing: murmur2 (or fnv1a) over the topic\'s live partition count, or the shard whose hash-key range holds the partition key; delivered then counts the records placed, and the summary\'s dryRun gives the records per partition or shard and the skew (the busiest one over the mean: 1 is even)' },
  { name: 'drain-timeout', arg: '<ms>', kind: 'int', default: '10000', min: 0, max: MAX_MS, group: 'Producer', help: `after SIGINT/SIGTERM, how long to keep sending what is buffered, in ${MS}` },
  { name: 'flush-timeout', arg: '<ms>', kind: 'int', default: '0', min: 0, max: MAX_MS, group: 'Producer', help: `after end of input, how long to keep sending what is buffered, in flight or waiting for a retry, in ${MS}; then give up on it (exit 4; 0 = until --delivery-timeout)` },

  { name: 'kafka-client', only: 'kafka', arg: '<client>', kind: 'choice', choices: ['wire', 'kafkajs'], default: 'wire', group: 'Kafka', help: 'Kafka client: wire (kprod\'s own protocol client: encodes each batch straight from the input lines, several times faster than kafkajs; every codec, the idempotent producer), or kafkajs (gzip only; idempotent only with an explicit --idempotent; a null header value from --format json is sent as an empty one, which the summary notes)' },
  { name: 'acks', only: 'kafka', arg: '<acks>', kind: 'choice', choices: ['all', '-1', '1', '0'], default: 'all', group: 'Kafka', help: 'acknowledgements required: all (-1), 1 (leader) or 0 (none: delivered means written to the socket, offsets unknown)' },
  { name: 'ack-timeout', only: 'kafka', arg: '<ms>', kind: 'int', default: '30000', min: 1, max: MAX_MS, group: 'Kafka', help: `how long the broker waits for replica acknowledgements, in ${MS}` },
  { name: 'request-timeout', arg: '<ms>', kind: 'int', default: '30000', min: 1, max: MAX_MS, group: 'Producer', help: `how long kprod waits for the answer to one request, in ${MS}` },
  { name: 'connect-timeout', arg: '<ms>', kind: 'int', default: '10000', min: 1, max: MAX_MS, group: 'Producer', help: `how long to try reaching the target at start before exiting with code 3, in ${MS}` },
  { name: 'connection-max-idle', only: 'kafka', arg: '<ms>', kind: 'int', default: '0', min: 0, max: MAX_MS, group: 'Kafka', help: `close broker connections idle for this many ${MS} (0 = never)` },
  { name: 'compression', only: 'kafka', arg: '<codec>', kind: 'choice', choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], default: 'none', group: 'Kafka', help: 'batch compression: gzip, snappy (xerial-framed, as the Java client writes it), lz4 (LZ4 frame), zstd (needs a broker speaking Produce v7, Kafka 2.1+); --kafka-client kafkajs has gzip only' },
  { name: 'idempotent', only: 'kafka', kind: 'boolean', negatable: true, group: 'Kafka', help: 'use the idempotent producer (producer id and per-partition sequence numbers: a retried batch stays on its partition and is written once). On by default with --acks all, as in the Java client; --no-idempotent turns it off, and it is off with --acks 0 or 1 (asking for it then is an error). With --kafka-client kafkajs only when asked for: kafkajs then retries inside one exchange, which the output notes' },
  { name: 'client-id', only: 'kafka', arg: '<id>', kind: 'string', default: 'kprod', group: 'Kafka', help: 'client id sent to the brokers' },
  { name: 'security-protocol', only: 'kafka', arg: '<protocol>', kind: 'choice', choices: ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'], ignoreCase: true, default: 'plaintext', group: 'Security', help: 'how to talk to the brokers: plaintext, ssl (TLS), sasl_plaintext (SASL login, no TLS) or sasl_ssl (SASL over TLS), as security.protocol' },
  { name: 'sasl-mechanism', only: 'kafka', arg: '<mechanism>', kind: 'choice', choices: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'], ignoreCase: true, group: 'Security', help: 'SASL mechanism with --security-protocol sasl_plaintext or sasl_ssl: PLAIN and SCRAM-* take --sasl-username and --sasl-password; OAUTHBEARER takes a token from --sasl-oauthbearer-token-file, --sasl-oauthbearer-token-command, --sasl-oauthbearer-token-endpoint-url (OIDC) or --aws-msk-iam' },
  { name: 'sasl-username', only: 'kafka', arg: '<name>', kind: 'string', group: 'Security', help: 'SASL user name (PLAIN, SCRAM-*)' },
  { name: 'sasl-password', only: 'kafka', arg: '<password>', kind: 'string', secret: true, group: 'Security', help: 'SASL password (PLAIN, SCRAM-*); prefer KPROD_SASL_PASSWORD or a --config file, since other users can read command lines. Never printed' },
  { name: 'sasl-oauthbearer-token-file', only: 'kafka', arg: '<file>', kind: 'path', group: 'Security', help: 'OAUTHBEARER: read the token from <file> at every login and re-authentication (whatever refreshes the token rewrites the file)' },
  { name: 'sasl-oauthbearer-token-command', only: 'kafka', arg: '<command>', kind: 'string', group: 'Security', help: 'OAUTHBEARER: run <command> with /bin/sh at every login and re-authentication and use its stdout, trimmed, as the token' },
  { name: 'sasl-oauthbearer-token-endpoint-url', only: 'kafka', arg: '<url>', kind: 'string', group: 'Security', help: 'OAUTHBEARER with OIDC (sasl.oauthbearer.method=oidc): get each token from this OAuth 2 token endpoint with the client-credentials grant (https, or http on a loopback address), at every login and before each token expires; needs --sasl-oauthbearer-client-id and --sasl-oauthbearer-client-secret' },
  { name: 'sasl-oauthbearer-client-id', only: 'kafka', arg: '<id>', kind: 'string', group: 'Security', help: 'OIDC client id (sasl.oauthbearer.client.id)' },
  { name: 'sasl-oauthbearer-client-secret', only: 'kafka', arg: '<secret>', kind: 'string', secret: true, group: 'Security', help: 'OIDC client secret (sasl.oauthbearer.client.secret); prefer KPROD_SASL_OAUTHBEARER_CLIENT_SECRET or a --config file. Never printed' },
  { name: 'sasl-oauthbearer-scope', only: 'kafka', arg: '<scope>', kind: 'string', group: 'Security', help: 'OIDC scope to ask the token endpoint for (sasl.oauthbearer.scope)' },
  { name: 'sasl-oauthbearer-extensions', only: 'kafka', arg: '<k=v,...>', kind: 'string', group: 'Security', help: 'OIDC: SASL extensions sent with every token, comma-separated key=value pairs (sasl.oauthbearer.extensions), e.g. logicalCluster=lkc-1,identityPoolId=pool-2 for Confluent Cloud' },
  { name: 'aws-msk-iam', only: 'kafka', kind: 'boolean', group: 'Security', help: 'OAUTHBEARER for Amazon MSK IAM: tokens signed by aws-msk-iam-sasl-signer-js with the AWS SDK\'s default credential chain, for the region in AWS_REGION or the broker names; implies --sasl-mechanism OAUTHBEARER and, unless given, --security-protocol sasl_ssl' },
  { name: 'ssl-ca', only: 'kafka', arg: '<file>', kind: 'path', group: 'Security', help: 'PEM file of the CA certificates that sign the brokers\' certificates (default: Node\'s bundled roots; NODE_EXTRA_CA_CERTS and NODE_USE_SYSTEM_CA=1 work too)' },
  { name: 'ssl-cert', only: 'kafka', arg: '<file>', kind: 'path', group: 'Security', help: 'PEM client certificate for brokers that require one (mTLS); needs --ssl-key' },
  { name: 'ssl-key', only: 'kafka', arg: '<file>', kind: 'path', group: 'Security', help: 'PEM private key of --ssl-cert' },
  { name: 'ssl-key-password', only: 'kafka', arg: '<password>', kind: 'string', secret: true, group: 'Security', help: 'password of an encrypted --ssl-key. Never printed' },
  { name: 'ssl-no-verify', only: 'kafka', kind: 'boolean', group: 'Security', help: 'UNSAFE: accept any broker certificate (no CA or hostname check); prints a warning' },
  { name: 'ssl-no-hostname-check', only: 'kafka', kind: 'boolean', group: 'Security', help: 'UNSAFE: accept a trusted certificate issued for another host name; prints a warning' },
  { name: 'log-level', only: 'kafka', arg: '<level>', kind: 'choice', choices: ['nothing', 'error', 'warn', 'info', 'debug'], default: 'warn', group: 'Kafka', help: 'Kafka client log level (logs go to stderr)' },

  { name: 'region', arg: '<region>', kind: 'string', group: 'Kinesis', only: 'kinesis', help: 'AWS region (default: AWS_REGION, else the profile\'s region in the shared config file, as the AWS CLI and SDK read it); the summary\'s notes say where the region, endpoint and credentials came from' },
  { name: 'profile', arg: '<name>', kind: 'string', group: 'Kinesis', only: 'kinesis', help: 'AWS profile of the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; default: AWS_PROFILE, else default) for credentials, region and endpoint_url; without a profile named, credentials are AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else the default profile, else the rest of the SDK\'s default chain (SSO, a role, instance metadata)' },
  { name: 'kinesis-client', only: 'kinesis', arg: '<client>', kind: 'choice', choices: ['sdk', 'http'], default: 'sdk', group: 'Kinesis', help: 'how PutRecords is sent: sdk (@aws-sdk/client-kinesis), or http (kprod writes and signs each request itself, straight from the input lines: less CPU and memory; when kprod can read the credentials (the environment\'s keys or the profile\'s) and knows the region, the AWS SDK is not even loaded, else the SDK finds the credentials (SSO, a role, ...); the summary notes say which)' },
  { name: 'endpoint', arg: '<url>', kind: 'string', group: 'Kinesis', only: 'kinesis', help: 'Kinesis-compatible endpoint URL, e.g. http://127.0.0.1:4567 for an emulator (default: AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the profile\'s services section or endpoint_url, else the region\'s); http:// endpoints are spoken to over HTTP/1.1' },
  { name: 'partition-key', arg: '<mode>', kind: 'choice', choices: ['random', 'hash'], default: 'random', group: 'Kinesis', only: 'kinesis', help: 'partition key of a record without a key: random (spreads over shards) or hash (hex MD5 of the line: the same line always lands on the same shard)' },
  { name: 'explicit-hash-key', kind: 'boolean', group: 'Kinesis', only: 'kinesis', help: 'send each record\'s key (from --key-separator) as its ExplicitHashKey too, so the key picks the shard\'s hash range directly instead of through MD5; a key that is not a decimal number from 0 to 2^128-1 is skipped with its line number' },
  { name: 'shard-ordering', kind: 'boolean', group: 'Kinesis', only: 'kinesis', help: 'keep per-key order: batch by shard, one request in flight per shard, a record waits while an earlier record of its shard is retried' },
  { name: 'aggregate', kind: 'boolean', group: 'Kinesis', only: 'kinesis', help: 'pack many lines into each Kinesis record in the KPL aggregated-record format (which the KCL, AWS Lambda and aws-kinesis-agg de-aggregate), up to 1 MiB each (batches of lines fill 512 KiB with --shard-limit, the default), one per PutRecords, grouped per shard so each line\'s partition key still decides its shard; lines keep their own outcomes (a failed aggregated record fails, and retries, its lines); --batch-records then counts lines (default 10000, up to 10000)' },
  { name: 'shard-limit', arg: '<records,bytes>', kind: 'string', group: 'Kinesis', only: 'kinesis', help: 'with --shard-ordering or --aggregate, each shard\'s writes are kept under these per-second limits before sending (95 % planned, so the service\'s own count, which latency can bunch up, stays under too), instead of learning from throttles, which are still counted and retried; one request (one aggregated record with --aggregate) then takes at most half a second\'s worth of its shard: records/s,bytes/s (default 1000,1048576: Kinesis\'s published per-shard limits), or off' },

  { name: 'quiet', short: 'q', kind: 'boolean', group: 'Output', help: 'print the summary line only, for scripts and CI: no batch or stats lines and no progress bar (as --no-batch-lines --stats-interval 0 --no-progress; warnings still go to stderr)' },
  { name: 'failed-output', arg: '<file>', kind: 'path', group: 'Output', help: 'write every line that was not delivered to <file>, byte for byte, ready to re-send with kprod; <file> must not be an input (nor stdin\'s file)' },
  { name: 'stats-interval', arg: '<ms>', kind: 'int', default: '5000', min: 0, max: MAX_MS, group: 'Output', help: `print a stats line every this many ${MS} (0 = never)` },
  { name: 'batch-lines', kind: 'boolean', default: 'true', group: 'Output', help: 'print one JSON line per batch (--no-batch-lines: stats and summary only)' },
  { name: 'progress', kind: 'boolean', default: 'true', group: 'Output', help: 'show a progress bar on stderr when stderr is a terminal and stdout is not (--no-progress to hide it)' }
] as const satisfies readonly OptionSpec[]

/** Every option's long name, e.g. 'batch-records'. */
export type OptionName = typeof TABLE[number]['name']

/** An option of the table: its name is one of OptionName. */
export interface NamedOption extends OptionSpec {
  readonly name: OptionName
}

export const OPTIONS: readonly NamedOption[] = TABLE

/** The KPROD_* environment variable for an option: KPROD_ + name in upper snake case. */
export function envName (spec: OptionSpec): string | null {
  if (spec.noEnv === true) return null
  return 'KPROD_' + spec.name.toUpperCase().replaceAll('-', '_')
}

/** The flag as written on the command line, e.g. --batch-records. */
export function flagName (spec: OptionSpec): string {
  return '--' + spec.name
}
