// The Kafka transport on kafkajs. One send() = one produce request to one partition's leader:
// kafkajs retries are off, topics are never auto-created, and the partition is always explicit,
// so the producer's exchange records are the whole truth about what went over the wire.

import kafkajs, { type Admin, type Producer, type Message } from 'kafkajs'
import type { Batch } from '../../batch/batch.ts'
import type { SendResult, Topology, Transport, TransportLimits } from '../transport.ts'
import { fromKafkaError } from './errors.ts'
import { KafkajsLog } from './kafkajs-log.ts'
import { KafkajsSockets } from './kafkajs-sockets.ts'
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

/** How long close() lets kafkajs disconnect cleanly when no send is in flight. */
const CLOSE_GRACE_MS = 500

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
  /** Every socket kafkajs opens: which sends were written, and a way to end them all. */
  readonly #sockets = new KafkajsSockets()
  /** kafkajs's logs, each distinct message once; repeats counted, told at close(). */
  readonly #log: KafkajsLog

  constructor (options: KafkaTransportOptions) {
    this.#options = options
    this.#log = new KafkajsLog(options.log)
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
      logCreator: this.#log.creator,
      socketFactory: this.#sockets.factory
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

  get idempotent (): boolean { return this.#options.idempotent }

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
    }, () => { this.#sockets.destroyAll() })
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    this.#idle.begin()
    this.#sockets.watch(partition)
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
        messages: toMessages(batch, partition)
      })
      this.#sockets.unwatch(partition)
      return okResult(batch, partition, metadata[0] ?? null, this.#options.acks)
    } catch (err) {
      return { response: null, error: fromKafkaError(err, this.#sockets.unwatch(partition)), records: null }
    } finally {
      this.#idle.end()
    }
  }

  /**
   * kafkajs's disconnect waits for every request in flight, up to --request-timeout against a
   * broker that hangs. Sends still in flight here were given up by the producer (a drain or
   * flush deadline, a second signal), so their sockets are destroyed at once; otherwise
   * disconnect gets a short grace, then the sockets go anyway. Nothing of kafkajs holds the exit.
   */
  async close (): Promise<void> {
    this.#idle.stop()
    this.#connected = false
    if (this.#sockets.inFlight > 0) {
      this.#sockets.destroyAll()
      this.#producer.disconnect().catch(() => {})
    } else {
      const disconnected = this.#producer.disconnect().catch(() => {})
      const grace = new AbortController()
      await Promise.race([disconnected, this.#options.clock.sleep(CLOSE_GRACE_MS, grace.signal).catch(() => {})])
      grace.abort()
      this.#sockets.destroyAll()
    }
    this.#log.flush()
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

function toMessages (batch: Batch, partition: number): Message[] {
  const records = batch.records
  const messages = new Array<Message>(records.length)
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    messages[i] = { key: r.key, value: r.value, partition, timestamp: String(r.readAt) }
  }
  return messages
}

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
