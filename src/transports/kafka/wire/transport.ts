// kprod's own Kafka client (--kafka-client wire): the same Transport contract as the kafkajs one,
// built on the protocol directly. One send() = one Produce request carrying one v2 record batch
// encoded straight from the input lines into one Buffer, written to the partition leader's
// pipelined connection. No retries inside: on a leadership or connection error the metadata is
// marked stale and refreshed before the next send, and the producer decides whether to retry.

import type { Batch } from '../../../batch/batch.ts'
import { KprodError } from '../../../errors.ts'
import { fromBrokerError } from '../errors.ts'
import { DEFAULT_MAX_MESSAGE_BYTES, IdleTimer, connectWithRetry, deliveredRecords, limitsFor, type KafkaTransportOptions } from '../common.ts'
import type { SendResult, Topology, Transport, TransportLimits } from '../../transport.ts'
import { BufferPool } from './buffer-pool.ts'
import { Connection } from './connection.ts'
import { STALE_METADATA, brokerErrorCode } from './error-codes.ts'
import {
  apiVersionsRequest, decodeApiVersions, decodeDescribeConfigs, decodeMetadata, decodeProduce, describeTopicConfigRequest,
  metadataRequest, pickVersion, type BrokerInfo, type MetadataInfo, type VersionRanges
} from './messages.ts'
import { API } from './protocol.ts'
import { encodeHeaders, encodeProduce, encodeRecords, type Codec, type FixedHeaders } from './record-batch.ts'

/** node:zlib is loaded on the first gzip batch only: most runs never compress. */
let gzipLoaded: Promise<(data: Buffer) => Promise<Buffer>> | null = null
function gzip (data: Buffer): Promise<Buffer> {
  gzipLoaded ??= Promise.all([import('node:zlib'), import('node:util')]).then(([zlib, util]) => util.promisify(zlib.gzip))
  return gzipLoaded.then((compress) => compress(data))
}

export type WireTransportOptions = Omit<KafkaTransportOptions, 'idempotent' | 'logLevel'> & {
  /**
   * Produce connections per broker (at least 1): partition p goes over connection p mod this. A
   * broker answers the requests of one connection one at a time, so with one connection the
   * partitions' requests queued behind each other; --workers is the natural value.
   */
  readonly produceConnections?: number
}

interface Versions { readonly produce: number, readonly metadata: number, readonly describeConfigs: number | null }

/** A broker error with the protocol name of its code as `type`, as kafka/errors.ts expects. */
class BrokerError extends Error {
  readonly type: string
  readonly retriable: boolean
  constructor (code: number, message: string) {
    const known = brokerErrorCode(code)
    super(`${known.type}: ${message}`)
    this.name = 'KafkaBrokerError'
    this.type = known.type
    this.retriable = known.retriable
  }
}

export class KafkaWireTransport implements Transport {
  readonly kind = 'kafka' as const
  readonly target: string
  readonly notes: string[] = []
  readonly #o: WireTransportOptions
  #limits: TransportLimits
  #versions: Versions | null = null
  /** Broker addresses by node id, from the last metadata answer. */
  #brokers = new Map<number, BrokerInfo>()
  /** Leader node id per partition (-1: none known). */
  #leaders = new Map<number, number>()
  /** Open connections by node id, then lane; lane 0 also carries metadata requests. */
  readonly #connections = new Map<number, Map<number, Promise<Connection>>>()
  readonly #lanes: number
  #stale = false
  #refreshing: Promise<void> | null = null
  readonly #idle: IdleTimer
  /** Request memory, reused once written; a few blocks, as most requests in flight come back in turn. */
  readonly #pool = new BufferPool(4)
  // --header, encoded once for every batch.
  readonly #headers: FixedHeaders
  #closed = false

  constructor (options: WireTransportOptions) {
    this.#o = options
    this.#headers = encodeHeaders(options.headers ?? [])
    this.#lanes = Math.max(1, Math.floor(options.produceConnections ?? 1))
    this.target = options.topic
    this.#limits = limitsFor(options, DEFAULT_MAX_MESSAGE_BYTES)
    this.#idle = new IdleTimer(options.clock, options.connectionMaxIdleMs, () => { this.#closeConnections().catch(() => {}) })
    if (options.acks === 0) {
      this.notes.push('--acks 0: delivered means written to the socket; the broker sends no answer and offsets are unknown')
    }
  }

  get limits (): TransportLimits { return this.#limits }

  connect (): Promise<Topology> {
    return connectWithRetry(this.#o, async () => {
      const conn = await this.#bootstrap()
      try {
        const partitions = this.#apply(await this.#metadata(conn))
        await this.#readMaxMessageBytes(conn)
        return { partitions }
      } finally {
        conn.close()
      }
    })
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    this.#idle.begin()
    try {
      return await this.#produce(batch, partition)
    } catch (err) {
      this.#stale = true
      return { response: null, error: asKprodError(err), records: null }
    } finally {
      this.#idle.end()
    }
  }

  async close (): Promise<void> {
    this.#closed = true
    this.#idle.stop()
    await this.#closeConnections()
  }

  async #produce (batch: Batch, partition: number): Promise<SendResult> {
    if (this.#stale || this.#leaders.get(partition) === undefined) await this.#refresh()
    const leader = this.#leaders.get(partition) ?? -1
    if (leader < 0) {
      this.#stale = true
      throw new KprodError('KPROD_BROKER', `LEADER_NOT_AVAILABLE: no leader known for partition ${partition}`, { retriable: true })
    }
    const conn = await this.#connection(leader, partition % this.#lanes)
    const { acks, ackTimeoutMs, requestTimeoutMs, clientId, compression } = this.#o
    const versions = this.#versions as Versions
    const codec: Codec = compression
    const compressed = codec === 'none' ? null : await gzip(encodeRecords(batch.records, this.#headers))
    const correlationId = conn.nextCorrelationId()
    const header = { version: versions.produce, clientId, acks, timeoutMs: ackTimeoutMs, topic: this.target, partition, headers: this.#headers }
    const pool = this.#pool
    const frame = encodeProduce(header, correlationId, batch.records, codec, compressed, (size) => pool.take(size))
    const written = (): void => { pool.give(frame) }
    if (acks === 0) {
      await conn.send(frame, written)
      return okResult(batch.records.length, partition, null, { broker: leader, topic: this.target, partition, errorCode: 0 })
    }
    const what = `produce to topic '${this.target}' partition ${partition}`
    const body = await conn.request(frame, correlationId, requestTimeoutMs, what, written)
    let answer: ReturnType<typeof decodeProduce>
    try {
      answer = decodeProduce(body, versions.produce)
    } catch (err) {
      // The broker answered, so it may have appended the batch: a retry could duplicate it.
      throw new KprodError('KPROD_BROKER', `unreadable answer to ${what}: ${err instanceof Error ? err.message : String(err)}`, { retriable: true, maybeWritten: true, cause: err })
    }
    const response = {
      broker: leader,
      topic: answer.topic,
      partition: answer.partition,
      errorCode: answer.errorCode,
      baseOffset: answer.baseOffset,
      logAppendTime: answer.logAppendTime === '-1' ? null : answer.logAppendTime,
      logStartOffset: answer.logStartOffset,
      throttleTimeMs: answer.throttleTimeMs
    }
    if (answer.errorCode !== 0) {
      const e = new BrokerError(answer.errorCode, answer.errorMessage ?? `broker ${leader} refused the batch`)
      if (STALE_METADATA.has(e.type)) this.#stale = true
      return { response, error: fromBrokerError(e.type, e.message, e.retriable, e), records: null }
    }
    return okResult(batch.records.length, partition, answer.baseOffset, response)
  }

  /** A connection to any bootstrap broker that answers ApiVersions; also learns the versions to use. */
  async #bootstrap (): Promise<Connection> {
    let last: unknown = new Error('no brokers given (--brokers)')
    for (const address of this.#o.brokers) {
      const at = address.lastIndexOf(':')
      const host = address.slice(0, at)
      const port = Number(address.slice(at + 1))
      let conn: Connection | null = null
      try {
        conn = await this.#open(host, port)
        if (this.#versions === null) this.#versions = await this.#apiVersions(conn)
        return conn
      } catch (err) {
        conn?.close()
        last = err
      }
    }
    throw last
  }

  async #apiVersions (conn: Connection): Promise<Versions> {
    const id = conn.nextCorrelationId()
    const answer = decodeApiVersions(await conn.request(apiVersionsRequest(id, this.#o.clientId), id, this.#o.requestTimeoutMs, 'ApiVersions'))
    if (answer.errorCode !== 0) throw new BrokerError(answer.errorCode, 'ApiVersions refused')
    const produce = pickVersion(API.PRODUCE, answer.ranges)
    const metadata = pickVersion(API.METADATA, answer.ranges)
    if (produce === null || metadata === null) {
      throw new KprodError('KPROD_BROKER', `broker ${conn.address} speaks none of the Produce v3-v8 / Metadata v1-v8 versions kprod's wire client uses (${ranges(answer.ranges)}); use --kafka-client kafkajs`)
    }
    return { produce, metadata, describeConfigs: pickVersion(API.DESCRIBE_CONFIGS, answer.ranges) }
  }

  async #metadata (conn: Connection): Promise<MetadataInfo> {
    const version = (this.#versions as Versions).metadata
    const id = conn.nextCorrelationId()
    const frame = metadataRequest(version, id, this.#o.clientId, [this.target])
    return decodeMetadata(await conn.request(frame, id, this.#o.requestTimeoutMs, 'Metadata'), version)
  }

  /** Takes a metadata answer in; returns the topic's partitions or throws its error. */
  #apply (info: MetadataInfo): number[] {
    const topic = info.topics.find((t) => t.name === this.target)
    if (topic === undefined) throw new BrokerError(3, `topic '${this.target}' is not in the metadata answer`)
    if (topic.errorCode !== 0) throw new BrokerError(topic.errorCode, `metadata for topic '${this.target}'`)
    this.#brokers = new Map(info.brokers.map((b) => [b.nodeId, b]))
    const leaders = new Map<number, number>()
    for (const p of topic.partitions) leaders.set(p.partition, p.leader)
    // A connection to a broker that left the cluster or moved is of no more use.
    for (const [nodeId, lanes] of this.#connections) {
      if (this.#brokers.has(nodeId)) continue
      this.#connections.delete(nodeId)
      for (const conn of lanes.values()) conn.then((c) => c.close('broker left the cluster metadata'), () => {})
    }
    this.#leaders = leaders
    this.#stale = false
    return [...leaders.keys()].sort((a, b) => a - b)
  }

  async #readMaxMessageBytes (conn: Connection): Promise<void> {
    const version = (this.#versions as Versions).describeConfigs
    let maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES
    try {
      if (version === null) throw new Error('the broker offers no DescribeConfigs version kprod speaks')
      const id = conn.nextCorrelationId()
      const frame = describeTopicConfigRequest(version, id, this.#o.clientId, this.target, ['max.message.bytes'])
      const result = decodeDescribeConfigs(await conn.request(frame, id, this.#o.requestTimeoutMs, 'DescribeConfigs'), version)[0]
      if (result === undefined) throw new Error('empty DescribeConfigs answer')
      if (result.errorCode !== 0) throw new BrokerError(result.errorCode, result.errorMessage ?? 'DescribeConfigs refused')
      const value = result.values.get('max.message.bytes')
      if (value !== undefined && value !== null && /^\d+$/.test(value)) maxMessageBytes = Number(value)
    } catch (err) {
      this.notes.push(`could not read max.message.bytes of topic '${this.target}' (${String(err)}); assuming ${DEFAULT_MAX_MESSAGE_BYTES}`)
    }
    this.#limits = limitsFor(this.#o, maxMessageBytes)
  }

  /** One metadata refresh at a time; concurrent sends share it. */
  #refresh (): Promise<void> {
    this.#refreshing ??= this.#refreshOnce().finally(() => { this.#refreshing = null })
    return this.#refreshing
  }

  // Asks the known brokers in turn, then the bootstrap list: a broker's refusal (the topic is gone)
  // is the answer, a connection problem sends the question to the next one.
  async #refreshOnce (): Promise<void> {
    for (const nodeId of this.#brokers.keys()) {
      let conn: Connection
      try {
        conn = await this.#connection(nodeId)
      } catch {
        continue
      }
      try {
        this.#apply(await this.#metadata(conn))
        return
      } catch (err) {
        if (err instanceof BrokerError) throw err
      }
    }
    const conn = await this.#bootstrap()
    try {
      this.#apply(await this.#metadata(conn))
    } finally {
      conn.close()
    }
  }

  /** Connection `lane` to a node, opened on first use and again after it closed. */
  #connection (nodeId: number, lane = 0): Promise<Connection> {
    const existing = this.#connections.get(nodeId)?.get(lane)
    if (existing !== undefined) return existing
    const broker = this.#brokers.get(nodeId)
    if (broker === undefined) return Promise.reject(new KprodError('KPROD_BROKER', `broker ${nodeId} is not in the cluster metadata`, { retriable: true }))
    let lanes = this.#connections.get(nodeId)
    if (lanes === undefined) this.#connections.set(nodeId, lanes = new Map())
    const forget = (): void => { if (lanes.get(lane) === opening) lanes.delete(lane) }
    const opening = this.#open(broker.host, broker.port).then((conn) => {
      conn.onClose = () => {
        forget()
        this.#stale = true
      }
      if (this.#closed) conn.close()
      return conn
    })
    lanes.set(lane, opening)
    opening.catch(forget)
    return opening
  }

  #open (host: string, port: number): Promise<Connection> {
    return Connection.open({ host, port, connectTimeoutMs: this.#o.connectTimeoutMs, clock: this.#o.clock })
  }

  async #closeConnections (): Promise<void> {
    const all = [...this.#connections.values()].flatMap((lanes) => [...lanes.values()])
    this.#connections.clear()
    for (const c of await Promise.allSettled(all)) if (c.status === 'fulfilled') c.value.close()
  }
}

function okResult (n: number, partition: number, baseOffset: string | null, response: Record<string, unknown>): SendResult {
  return { response, error: null, records: deliveredRecords(n, partition, baseOffset) }
}

function asKprodError (err: unknown): KprodError {
  if (err instanceof KprodError) return err
  if (err instanceof BrokerError) return fromBrokerError(err.type, err.message, err.retriable, err)
  return new KprodError('KPROD_BROKER', err instanceof Error ? err.message : String(err), { retriable: true, cause: err })
}

function ranges (r: VersionRanges): string {
  const show = (api: number, name: string): string => `${name} ${r.get(api)?.join('-') ?? 'none'}`
  return `broker offers ${show(API.PRODUCE, 'Produce')}, ${show(API.METADATA, 'Metadata')}`
}
