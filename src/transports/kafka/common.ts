// What both Kafka transports (kafkajs and kprod's wire client) share: their options, the batch
// limits that keep a full produce request under the topic's max.message.bytes, the retried
// connect at start, the idle-connection timer, and the per-record results of a delivered batch.

import { headersBytes, type RecordHeader } from '../../record.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { KafkaSecurity } from './security.ts'
import { connectError, isFinalConnectError } from './errors.ts'
import type { DeliveredRun, RecordPosition, TransportLimits } from '../transport.ts'
import { connectWithRetry } from '../connect-retry.ts'
import type { KafkaRouting } from './router.ts'

export interface KafkaTransportOptions {
  readonly brokers: readonly string[]
  readonly topic: string
  readonly clientId: string
  readonly acks: -1 | 0 | 1
  readonly ackTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly connectionMaxIdleMs: number
  readonly compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  readonly idempotent: boolean
  /** Records per send(); kafkajs groups messages with a quadratic copy, so this stays in the low thousands. */
  readonly maxBatchRecords: number
  /** Key + value bytes per send() the user asked for; lowered to fit the topic's max.message.bytes. */
  readonly maxBatchBytes: number
  /** --header: headers every record carries, after its own. */
  readonly headers?: readonly RecordHeader[]
  readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug'
  readonly log: (line: string) => void
  readonly clock: Clock
  /** security.protocol, TLS and SASL settings. */
  readonly security: KafkaSecurity
  /** The process environment (AWS credentials and region for MSK IAM). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** --partitioner, --partition, --partitions; default: DEFAULT_ROUTING. */
  readonly routing?: KafkaRouting
}

/** The broker default for message.max.bytes, used when the topic's own limit cannot be read. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1048588
/** Record batch header (61 bytes) plus slack for the produce request framing. */
const BATCH_OVERHEAD = 512
/** Upper bound of a record's framing in a v2 batch without headers: length, attributes, deltas, key/value lengths. */
const RECORD_OVERHEAD = 24

/**
 * Limits for the builder: a full batch, framing included, must stay under max.message.bytes.
 * The builder counts key + value bytes only, so the framing of a full batch of records is taken
 * off its byte limit; the record limit is lowered (to at most half of what framing alone could
 * fill) so that room is left for data. A record too large for that byte limit still fits alone.
 */
export function limitsFor (options: Pick<KafkaTransportOptions, 'maxBatchRecords' | 'maxBatchBytes' | 'headers'>, maxMessageBytes: number): TransportLimits {
  const room = maxMessageBytes - BATCH_OVERHEAD
  // --header bytes are framing too: every record carries them, and the builder does not count them.
  const perRecord = RECORD_OVERHEAD + headersBytes(options.headers ?? [])
  const maxBatchRecords = Math.max(1, Math.min(options.maxBatchRecords, Math.floor(room / (2 * perRecord))))
  const fit = room - maxBatchRecords * perRecord
  return {
    maxRecordBytes: Math.max(1, room - perRecord),
    maxBatchRecords,
    maxBatchBytes: Math.max(1, Math.min(options.maxBatchBytes, fit))
  }
}

/**
 * Runs `attempt` until it succeeds, a final error (no such topic, not authorized) comes, or
 * --connect-timeout runs out (connect-retry.ts). The deadline holds even while an attempt waits on
 * a broker that accepts connections and never answers: `abandon` then ends whatever the attempt
 * still holds (its sockets), and the attempt is not awaited.
 */
export function connectKafka<T> (o: Pick<KafkaTransportOptions, 'clock' | 'connectTimeoutMs' | 'brokers' | 'topic'>, attempt: () => Promise<T>, abandon: () => void): Promise<T> {
  return connectWithRetry({
    clock: o.clock,
    deadline: o.clock.now() + o.connectTimeoutMs,
    attempt,
    failure: (err) => connectError(err, o.brokers, o.topic, o.connectTimeoutMs),
    isFinal: isFinalConnectError,
    late: { abandon, noAnswer: 'no answer from the brokers (connected, but a request was still unanswered at the deadline)' }
  })
}

/** --connection-max-idle: calls `onIdle` once no send has been in flight for that long (0 = never). */
export class IdleTimer {
  readonly #clock: Clock
  readonly #idleMs: number
  readonly #onIdle: () => void
  #inFlight = 0
  #timer: TimerHandle | null = null
  #stopped = false

  constructor (clock: Clock, idleMs: number, onIdle: () => void) {
    this.#clock = clock
    this.#idleMs = idleMs
    this.#onIdle = onIdle
  }

  /** A send starts. */
  begin (): void {
    this.#inFlight++
    this.#clear()
  }

  /** A send ended. */
  end (): void {
    this.#inFlight--
    if (this.#idleMs <= 0 || this.#inFlight > 0 || this.#stopped) return
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null
      if (this.#inFlight === 0 && !this.#stopped) this.#onIdle()
    }, this.#idleMs)
  }

  stop (): void {
    this.#stopped = true
    this.#clear()
  }

  #clear (): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer)
    this.#timer = null
  }
}

/**
 * The result of `n` records delivered at consecutive offsets from `baseOffset` (null: not known,
 * acks=0): one object for the whole batch, offsets made only when read (batch lines read the first
 * and last). Millions of records per second pass through here.
 */
export function deliveredRecords (n: number, partition: number, baseOffset: string | null): OffsetRun {
  return new OffsetRun(n, partition, baseOffset)
}

export class OffsetRun implements DeliveredRun {
  readonly kind = 'run' as const
  readonly count: number
  readonly partition: number
  readonly #base: string | null

  constructor (count: number, partition: number, base: string | null) {
    this.count = count
    this.partition = partition
    this.#base = base
  }

  at (k: number): RecordPosition {
    return { partition: this.partition, position: this.position(k) }
  }

  shardId (): undefined {
    return undefined
  }

  /** The offset of the k-th record; null when not acknowledged (acks=0). */
  position (k: number): string | null {
    const base = this.#base
    if (base === null) return null
    if (k === 0) return base
    const n = Number(base) + k
    return Number.isSafeInteger(n) ? String(n) : String(BigInt(base) + BigInt(k))
  }
}
