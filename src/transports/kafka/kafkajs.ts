// The Kafka transport on kafkajs. One send() = one produce request to one partition's leader:
// kafkajs retries are off, topics are never auto-created, and the partition is always explicit,
// so the producer's exchange records are the whole truth about what went over the wire.

import kafkajs, { type Admin, type IHeaders, type Producer, type Message, type logCreator as LogCreator } from 'kafkajs'
import type { Batch } from '../../batch/batch.ts'
import { LineRecord, createTime, type RecordHeader } from '../../record.ts'
import type { SendResult, Topology, Transport, TransportLimits } from '../transport.ts'
import { fromKafkaError } from './errors.ts'
import { DEFAULT_MAX_MESSAGE_BYTES, IdleTimer, connectWithRetry, deliveredRecords, limitsFor, type KafkaTransportOptions } from './common.ts'

// kafkajs is CommonJS; Node cannot see all of its named exports from ESM.
const { Kafka, CompressionTypes, ConfigResourceTypes, logLevel: KafkaLogLevel } = kafkajs

const LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG
} as const

export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const
  readonly target: string
  readonly notes: string[] = []
  #limits: TransportLimits
  readonly #options: KafkaTransportOptions
  readonly #kafka: InstanceType<typeof Kafka>
  readonly #producer: Producer
  #connected = false
  readonly #idle: IdleTimer

  constructor (options: KafkaTransportOptions) {
    this.#options = options
    this.target = options.topic
    this.#limits = limitsFor(options, DEFAULT_MAX_MESSAGE_BYTES)
    this.#idle = new IdleTimer(options.clock, options.connectionMaxIdleMs, () => {
      if (!this.#connected) return
      this.#connected = false
      this.#producer.disconnect().catch(() => {})
    })
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      connectionTimeout: Math.min(options.connectTimeoutMs, 5000),
      requestTimeout: options.requestTimeoutMs,
      enforceRequestTimeout: true,
      retry: { retries: 0 },
      logLevel: LEVELS[options.logLevel],
      logCreator: stderrLogCreator(options.log)
    })
    this.#producer = this.#kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: options.idempotent,
      // The idempotent producer refuses retries: 0; it then retries inside one exchange.
      retry: options.idempotent ? { retries: 5 } : { retries: 0 },
      ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
      createPartitioner: () => ({ message }) => message.partition ?? 0
    })
    if (options.idempotent) {
      this.notes.push('--idempotent: kafkajs retries up to 5 times inside one exchange, so an exchange may hide several wire attempts')
    }
    if (options.acks === 0) {
      this.notes.push('--acks 0: delivered means written to the socket; the broker sends no answer and offsets are unknown')
    }
  }

  get limits (): TransportLimits { return this.#limits }

  connect (): Promise<Topology> {
    return connectWithRetry(this.#options, async () => {
      const admin = this.#kafka.admin()
      try {
        await admin.connect()
        const partitions = await this.#describeTopic(admin)
        await this.#producer.connect()
        this.#connected = true
        return { partitions }
      } finally {
        await admin.disconnect().catch(() => {})
      }
    })
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    this.#idle.begin()
    try {
      if (!this.#connected) {
        await this.#producer.connect()
        this.#connected = true
      }
      const metadata = await this.#producer.send({
        topic: this.target,
        acks: this.#options.acks,
        timeout: this.#options.ackTimeoutMs,
        compression: this.#options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: toMessages(batch, partition, this.#options.headers ?? [])
      })
      return okResult(batch, partition, metadata[0] ?? null, this.#options.acks)
    } catch (err) {
      return { response: null, error: fromKafkaError(err), records: null }
    } finally {
      this.#idle.end()
    }
  }

  async close (): Promise<void> {
    this.#idle.stop()
    await this.#producer.disconnect().catch(() => {})
    this.#connected = false
  }

  /** Partition ids of the topic, and the send limits that fit its max.message.bytes. */
  async #describeTopic (admin: Admin): Promise<number[]> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [this.target] })
    const partitions = (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b)
    let maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: this.target, configNames: ['max.message.bytes'] }]
      })
      const value = described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue
      if (value !== undefined && /^\d+$/.test(value)) maxMessageBytes = Number(value)
    } catch (err) {
      this.notes.push(`could not read max.message.bytes of topic '${this.target}' (${String(err)}); assuming ${DEFAULT_MAX_MESSAGE_BYTES}`)
    }
    this.#limits = limitsFor(this.#options, maxMessageBytes)
    return partitions
  }
}

function toMessages (batch: Batch, partition: number, fixed: readonly RecordHeader[]): Message[] {
  const records = batch.records
  const messages = new Array<Message>(records.length)
  const fixedHeaders = fixed.length === 0 ? undefined : toHeaders(fixed, undefined)
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    const own = r instanceof LineRecord ? undefined : r.headers
    const headers = own === undefined || own.length === 0 ? fixedHeaders : toHeaders(fixed, own)
    messages[i] = {
      key: r.key,
      value: r.nullValue === true ? null : r.value,
      partition,
      timestamp: String(createTime(r)),
      ...(headers === undefined ? {} : { headers })
    }
  }
  return messages
}

/**
 * kafkajs takes headers as an object: a name given more than once becomes an array of values,
 * sent in a row. A null header value is sent as an empty one (kafkajs cannot send null).
 */
function toHeaders (fixed: readonly RecordHeader[], own: readonly RecordHeader[] | undefined): IHeaders {
  const out: Record<string, Buffer[]> = {}
  for (const list of [own ?? [], fixed]) {
    for (const h of list) (out[h.name] ??= []).push(h.value ?? EMPTY)
  }
  const headers: IHeaders = {}
  for (const [name, values] of Object.entries(out)) headers[name] = values.length === 1 ? values[0] : values
  return headers
}

const EMPTY = Buffer.alloc(0)

interface Metadata { topicName: string, partition: number, errorCode: number, baseOffset?: string, logAppendTime?: string, logStartOffset?: string }

function okResult (batch: Batch, partition: number, meta: Metadata | null, acks: number): SendResult {
  const base = meta?.baseOffset === undefined || acks === 0 ? null : meta.baseOffset
  const records = deliveredRecords(batch.records.length, partition, base)
  const response = meta === null
    ? null
    : {
        topic: meta.topicName,
        partition: meta.partition,
        errorCode: meta.errorCode,
        baseOffset: meta.baseOffset ?? null,
        logAppendTime: meta.logAppendTime ?? null,
        logStartOffset: meta.logStartOffset ?? null
      }
  return { response, error: null, records }
}

function stderrLogCreator (log: (line: string) => void): LogCreator {
  return () => ({ namespace, level, log: entry }) => {
    const { message, timestamp: _t, logger: _l, ...extra } = entry
    const name = KafkaLogLevel[level] ?? String(level)
    const rest = Object.keys(extra).length > 0 ? ' ' + JSON.stringify(extra) : ''
    log(`kprod: kafkajs ${name} [${namespace}] ${message}${rest}`)
  }
}
