// The Kafka transport on kafkajs. One send() = one produce request to one partition's leader:
// kafkajs retries are off, topics are never auto-created, and the partition is always explicit,
// so the producer's exchange records are the whole truth about what went over the wire.

import kafkajs, { type Admin, type IHeaders, type Producer, type Message, type SASLOptions } from 'kafkajs'
import { KprodError } from '../../errors.ts'
import type { Batch } from '../../batch/batch.ts'
import { LineRecord, createTime, type RecordHeader } from '../../record.ts'
import type { Router, SendResult, Topology, Transport, TransportLimits } from '../transport.ts'
import { DEFAULT_ROUTING, kafkaRouter } from './router.ts'
import { fromKafkaError, rootCause } from './errors.ts'
import { mayWrite } from './kafkajs-acl.ts'
import { KafkajsLog } from './kafkajs-log.ts'
import { KafkajsSockets } from './kafkajs-sockets.ts'
import { DEFAULT_MAX_MESSAGE_BYTES, IdleTimer, connectKafka, deliveredRecords, limitsFor, type KafkaTransportOptions } from './common.ts'
import { fetchToken } from './oauth-token.ts'
import { principalOf, redact, secretsOf, type KafkaSecurity } from './security.ts'
import { plaintextToTlsError, serverName, tlsFailure, tlsOptions } from './tls.ts'

// kafkajs is CommonJS; Node cannot see all of its named exports from ESM.
const { Kafka, CompressionTypes, ConfigResourceTypes, logLevel: KafkaLogLevel } = kafkajs

const LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG
} as const

/**
 * kafkajs re-authenticates (KIP-368) lazily, before a request, once the session has less than this
 * left. Its default, 10 s, is longer than a short session: it then re-authenticates before every
 * request, and the broker refuses a second re-authentication within a second (ILLEGAL_SASL_STATE).
 */
const REAUTH_THRESHOLD_MS = 1000

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
  /** The note on null header values was given (once a run). */
  #emptiedNoted = false
  readonly #idle: IdleTimer
  /** Every socket kafkajs opens: which sends were written, and a way to end them all. */
  readonly #sockets = new KafkajsSockets()
  /** kafkajs's logs, each distinct message once; repeats counted, told at close(). */
  readonly #log: KafkajsLog

  constructor (options: KafkaTransportOptions) {
    this.#options = options
    const secrets = secretsOf(options.security)
    this.#log = new KafkajsLog((line) => { options.log(redact(line, secrets)) })
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
      reauthenticationThreshold: REAUTH_THRESHOLD_MS,
      retry: { retries: 0 },
      logLevel: LEVELS[options.logLevel],
      logCreator: this.#log.creator,
      socketFactory: this.#sockets.factory,
      ...securityOptions(options.security, options.env, options.brokers)
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

  router (topology: Topology): Router {
    return kafkaRouter(this.target, this.#options.routing ?? DEFAULT_ROUTING, topology)
  }

  connect (): Promise<Topology> {
    return connectKafka(this.#options, async () => {
      const admin = this.#kafka.admin()
      try {
        await admin.connect()
        const partitions = await this.#describeTopic(admin)
        if (await mayWrite(this.#kafka, this.target) === false) {
          throw new KprodError('KPROD_AUTH', `TOPIC_AUTHORIZATION_FAILED: ${this.#lacks()}`)
        }
        await this.#producer.connect()
        this.#connected = true
        return { partitions }
      } catch (err) {
        throw this.#securityFailure(err) ?? err
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
        messages: this.#messages(batch, partition)
      })
      this.#sockets.unwatch(partition)
      return okResult(batch, partition, metadata[0] ?? null, this.#options.acks)
    } catch (err) {
      const error = fromKafkaError(err, this.#sockets.unwatch(partition))
      if (error.code === 'KPROD_AUTH' && /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/i.test(error.message)) {
        return { response: null, error: new KprodError('KPROD_AUTH', `TOPIC_AUTHORIZATION_FAILED: ${this.#lacks()}`, { cause: err }), records: null }
      }
      return { response: null, error, records: null }
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

  #messages (batch: Batch, partition: number): Message[] {
    const { messages, emptied } = toMessages(batch, partition, this.#options.headers ?? [])
    if (emptied && !this.#emptiedNoted) {
      this.#emptiedNoted = true
      this.notes.push('kafkajs cannot send a null header value: records with one were sent with an empty value instead (the wire client, the default, sends null)')
    }
    return messages
  }

  #lacks (): string {
    return `principal ${principalOf(this.#options.security)} lacks WRITE on topic '${this.target}'`
  }

  /** A TLS or SASL failure at start as the final error that names its cause, or null. */
  #securityFailure (err: unknown): KprodError | null {
    if (err instanceof KprodError) return err
    const e = rootCause(err) as { name?: string, message?: string, code?: string }
    const security = this.#options.security
    const broker = this.#options.brokers.join(',')
    const tlsListener = this.#sockets.tlsAnswerFrom
    if (security.tls === null && tlsListener !== null) return plaintextToTlsError(tlsListener)
    // kafkajs ends a refused OAUTHBEARER exchange with a protocol error about the SASL state.
    if (security.sasl !== null && (e.name === 'KafkaJSSASLAuthenticationError' || /SASL/.test(e.message ?? ''))) {
      const user = 'username' in security.sasl ? `, user '${security.sasl.username}'` : ''
      return new KprodError('KPROD_AUTH', redact(`authentication failed (${security.sasl.mechanism}${user}) at ${broker}: ${e.message ?? ''}`, secretsOf(security)))
    }
    if (security.tls !== null && e.code !== undefined) {
      return tlsFailure(Object.assign(new Error(e.message ?? ''), { code: e.code }), broker, true, security.tls)
    }
    return null
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

/** The batch as kafkajs messages; `emptied`: a null header value was sent as an empty one. */
function toMessages (batch: Batch, partition: number, fixed: readonly RecordHeader[]): { messages: Message[], emptied: boolean } {
  const records = batch.records
  const messages = new Array<Message>(records.length)
  const fixedHeaders = fixed.length === 0 ? undefined : toHeaders(fixed, undefined)
  let emptied = false
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    const own = r instanceof LineRecord ? undefined : r.headers
    const made = own === undefined || own.length === 0 ? fixedHeaders : toHeaders(fixed, own)
    if (made?.emptied === true) emptied = true
    const headers = made?.headers
    messages[i] = {
      key: r.key,
      value: r.nullValue === true ? null : r.value,
      partition,
      timestamp: String(createTime(r)),
      ...(headers === undefined ? {} : { headers })
    }
  }
  return { messages, emptied }
}

/**
 * kafkajs takes headers as an object: a name given more than once becomes an array of values,
 * sent in a row. A null header value is sent as an empty one (`emptied` says one was): kafkajs
 * 2.2.4's encoder would write null as length -1, but its size count calls Buffer.byteLength on the
 * value first, which throws for null (protocol/recordBatch/record/v0/index.js, sizeOfHeaders).
 */
function toHeaders (fixed: readonly RecordHeader[], own: readonly RecordHeader[] | undefined): { headers: IHeaders, emptied: boolean } {
  const out: Record<string, Buffer[]> = {}
  let emptied = false
  for (const list of [own ?? [], fixed]) {
    for (const h of list) {
      if (h.value === null) emptied = true
      const values = (out[h.name] ??= [])
      values.push(h.value ?? EMPTY)
    }
  }
  const headers: IHeaders = {}
  for (const [name, values] of Object.entries(out)) headers[name] = values.length === 1 ? values[0] : values
  return { headers, emptied }
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

/** kafkajs's ssl and sasl settings for a KafkaSecurity. */
function securityOptions (security: KafkaSecurity, env: Readonly<Record<string, string | undefined>>, brokers: readonly string[]): { ssl?: object, sasl?: SASLOptions } {
  const out: { ssl?: object, sasl?: SASLOptions } = {}
  if (security.tls !== null) {
    const first = brokers[0] ?? ''
    const name = serverName(first.slice(0, first.lastIndexOf(':')))
    out.ssl = { ...tlsOptions(security.tls), ...(name === undefined ? {} : { servername: name }) }
  }
  const sasl = security.sasl
  if (sasl === null) return out
  if (sasl.mechanism === 'OAUTHBEARER') {
    const source = sasl.token
    out.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const token = await fetchToken(source, env, brokers)
        return { value: token.value, ...(token.extensions === undefined ? {} : { extensions: { ...token.extensions } }) }
      }
    }
  } else if (sasl.mechanism === 'PLAIN') {
    out.sasl = { mechanism: 'plain', username: sasl.username, password: sasl.password }
  } else {
    out.sasl = { mechanism: sasl.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512', username: sasl.username, password: sasl.password }
  }
  return out
}
