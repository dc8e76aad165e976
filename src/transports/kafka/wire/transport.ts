// kprod's own Kafka client (--kafka-client wire, the default): the same Transport contract as the
// kafkajs one, built on the protocol directly. One send() = one Produce request carrying one v2
// record batch encoded straight from the input lines into one Buffer, written to the partition
// leader's pipelined connection. No retries inside: on a leadership or connection error the
// metadata is marked stale and refreshed before the next send, and the producer decides whether
// to retry. With idempotence (the default with --acks all) each batch carries the producer id,
// epoch and sequence of idempotence.ts, kept across its retries on the same partition.

import type { Batch } from '../../../batch/batch.ts'
import { KprodError } from '../../../errors.ts'
import { fromBrokerError, notWritten } from '../errors.ts'
import { DEFAULT_MAX_MESSAGE_BYTES, IdleTimer, connectKafka, deliveredRecords, limitsFor, type KafkaTransportOptions } from '../common.ts'
import type { Router, SendResult, Topology, Transport, TransportLimits } from '../../transport.ts'
import { DEFAULT_ROUTING, kafkaRouter } from '../router.ts'
import { BufferPool } from './buffer-pool.ts'
import { Connection } from './connection.ts'
import type { SaslContext } from './sasl/authenticate.ts'
import { principalOf } from '../security.ts'
import { tlsOptions, type TlsOptions } from '../tls.ts'
import { BrokerError } from './error-codes.ts'
import { produceOutcome } from './produce-answer.ts'
import {
  ACL_ALL, ACL_WRITE, apiVersionsRequest, decodeApiVersions, decodeDescribeConfigs, decodeInitProducerId, decodeMetadata, decodeProduce,
  describeTopicConfigRequest, initProducerIdRequest, metadataRequest, pickVersion, type BrokerInfo, type MetadataInfo, type VersionRanges
} from './messages.ts'
import { API } from './protocol.ts'
import { encodeHeaders, encodeProduce, encodeRecords, type FixedHeaders, type ProducerStamp } from './record-batch.ts'
import { MIN_PRODUCE_VERSION, compress, type Codec, type Compressed } from './codecs.ts'
import { IdempotentProducer } from './idempotence.ts'

export type WireTransportOptions = Omit<KafkaTransportOptions, 'logLevel'> & {
  /**
   * Produce connections per broker (at least 1): partition p goes over connection p mod this. A
   * broker answers the requests of one connection one at a time, so with one connection the
   * partitions' requests queued behind each other; --workers is the natural value.
   */
  readonly produceConnections?: number
}

interface Versions {
  readonly produce: number
  readonly metadata: number
  readonly describeConfigs: number | null
  readonly initProducerId: number | null
  readonly saslAuthenticate: number | null
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
  /**
   * Records sections waiting to be compressed, reused once compressed: each was a fresh ~1 MiB
   * allocation that the kernel faulted in and V8 counted towards its next full collection
   * (bench/README.md, "Codecs on a quiet machine").
   */
  readonly #sections = new BufferPool(4)
  // --header, encoded once for every batch.
  readonly #headers: FixedHeaders
  #closed = false
  /** Partitions whose send in flight has handed its Produce request to a connection (one send per partition at a time). */
  readonly #written = new Set<number>()
  /** The idempotent producer's state; null when idempotence is off. */
  #idempotence: IdempotentProducer | null = null
  #renewing: Promise<void> | null = null
  /** Batches delivered without offsets (DUPLICATE_SEQUENCE_NUMBER), for the summary notes. */
  #unplaced = 0
  /** Bootstrap connections, closed after use by their callers; close() ends any still open. */
  readonly #bootstraps = new Set<Connection>()
  /** Read once: the CA, certificate and key files of TLS, or null for plaintext. */
  readonly #tls: TlsOptions | null

  constructor (options: WireTransportOptions) {
    this.#o = options
    this.#tls = options.security.tls === null ? null : tlsOptions(options.security.tls)
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

  get idempotent (): boolean { return this.#o.idempotent }

  /** An idempotent batch's sequence numbers belong to its partition: its retries stay there. */
  get retriesKeepPartition (): boolean { return this.#o.idempotent }

  router (topology: Topology): Router {
    return kafkaRouter(this.target, this.#o.routing ?? DEFAULT_ROUTING, topology)
  }

  connect (): Promise<Topology> {
    return connectKafka(this.#o, async () => {
      const conn = await this.#bootstrap()
      let kept = false
      try {
        this.#checkCodec(conn)
        // Pipelined on one connection: start-up is most of a short run. The topic's metadata is
        // looked at first, so that a missing topic or ACL is the error the run reports.
        const metadata = this.#metadata(conn, true)
        const rest = Promise.all([
          this.#readMaxMessageBytes(conn),
          this.#o.idempotent && this.#idempotence === null ? this.#initProducerId(conn) : null
        ])
        rest.catch(() => {})
        const partitions = this.#apply(await metadata, true)
        await rest
        kept = this.#keepBootstrap(conn)
        return { partitions }
      } finally {
        if (!kept) conn.close()
      }
    }, () => { this.#closeStartup() })
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    this.#idle.begin()
    this.#written.delete(partition)
    try {
      return await this.#produce(batch, partition)
    } catch (err) {
      this.#stale = true
      // Whether the records may be in the log depends on whether the request was written, not on
      // the error: a metadata timeout or a refused connection before it means definitely not.
      const error = asKprodError(err)
      return { response: null, error: this.#written.has(partition) ? error : notWritten(error), records: null }
    } finally {
      this.#idle.end()
    }
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#idle.stop()
    if (this.#unplaced > 0) {
      this.notes.push(`idempotent producer: ${this.#unplaced} batch(es) answered DUPLICATE_SEQUENCE_NUMBER (written on an earlier attempt; the broker no longer knew their offsets): delivered, with null positions`)
    }
    const bumps = this.#idempotence?.bumps ?? 0
    if (bumps > 0) {
      this.notes.push(`idempotent producer: ${bumps} epoch bump(s) or new producer id(s): a batch was refused for its sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID) or given up unsettled, so its partition's sequence started over`)
    }
    this.#closeStartup()
    await this.#closeConnections()
  }

  /** Ends the bootstrap connections (start, metadata refresh) still open, e.g. at the --connect-timeout deadline. */
  #closeStartup (): void {
    for (const conn of this.#bootstraps) conn.close('given up: --connect-timeout passed or kprod is closing')
    this.#bootstraps.clear()
  }

  async #produce (batch: Batch, partition: number): Promise<SendResult> {
    if (this.#stale || this.#leaders.get(partition) === undefined) await this.#refresh()
    const leader = this.#leaders.get(partition) ?? -1
    if (leader < 0) {
      this.#stale = true
      throw new KprodError('KPROD_BROKER', `LEADER_NOT_AVAILABLE: no leader known for partition ${partition}`, { retriable: true })
    }
    const conn = await this.#connection(leader, partition % this.#lanes)
    const { acks, ackTimeoutMs, requestTimeoutMs, clientId, compression: codec } = this.#o
    const versions = this.#versions as Versions
    const compressed = codec === 'none' ? null : await this.#compress(codec, batch.records)
    const stamp = await this.#stamp(batch, partition, conn)
    const correlationId = conn.nextCorrelationId()
    const header = { version: versions.produce, clientId, acks, timeoutMs: ackTimeoutMs, topic: this.target, partition, headers: this.#headers }
    const pool = this.#pool
    const frame = encodeProduce(header, correlationId, batch.records, codec, compressed, (size) => pool.take(size), stamp)
    const written = (): void => { pool.give(frame) }
    this.#written.add(partition)
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
    const idempotence = this.#idempotence
    const outcome = produceOutcome(answer, { idempotent: idempotence !== null, broker: leader, lacksWrite: () => this.#lacks('WRITE') })
    switch (outcome.kind) {
      case 'delivered':
        idempotence?.acknowledged(batch.id, partition)
        if (outcome.note === null) return okResult(batch.records.length, partition, outcome.baseOffset, response)
        this.#unplaced++
        return okResult(batch.records.length, partition, outcome.baseOffset, { ...response, note: outcome.note })
      case 'sequence-refused':
        idempotence?.refused(batch.id, partition)
        return { response, error: outcome.error, records: null }
      case 'failed':
        if (outcome.staleMetadata) this.#stale = true
        return { response, error: outcome.error, records: null }
    }
  }

  /** The records section of a batch, compressed; the uncompressed one goes back to its pool. */
  async #compress (codec: Exclude<Codec, 'none'>, records: Batch['records']): Promise<Compressed> {
    const sections = this.#sections
    const section = encodeRecords(records, this.#headers, (size) => sections.take(size))
    try {
      return await compress(codec, section)
    } finally {
      sections.give(section)
    }
  }

  /** The idempotent stamp of `batch` on `partition` (null without idempotence). */
  async #stamp (batch: Batch, partition: number, conn: Connection): Promise<ProducerStamp | null> {
    let idempotence = this.#idempotence
    if (!this.#o.idempotent) return null
    if (idempotence === null || idempotence.needsNewId(batch.id, partition)) {
      this.#renewing ??= this.#initProducerId(conn).finally(() => { this.#renewing = null })
      await this.#renewing
      idempotence = this.#idempotence as IdempotentProducer
    }
    return idempotence.stamp(batch.id, batch.records.length, partition)
  }

  /** Gets a producer id and epoch (InitProducerId without a transactional id), or a new one. */
  async #initProducerId (conn: Connection): Promise<void> {
    const version = (this.#versions as Versions).initProducerId
    if (version === null) {
      throw new KprodError('KPROD_BROKER', `broker ${conn.address} offers no InitProducerId version kprod speaks (v0-v1), so it cannot run an idempotent producer; use --no-idempotent`)
    }
    const id = conn.nextCorrelationId()
    const answer = decodeInitProducerId(await conn.request(initProducerIdRequest(version, id, this.#o.clientId), id, this.#o.requestTimeoutMs, 'InitProducerId'))
    if (answer.errorCode !== 0) {
      throw new BrokerError(answer.errorCode, `InitProducerId refused${answer.errorCode === 31 ? ' (the idempotent producer needs the IdempotentWrite permission on the cluster, or Write on the topic; or use --no-idempotent)' : ''}`)
    }
    if (this.#idempotence === null) this.#idempotence = new IdempotentProducer(answer.producerId, answer.epoch)
    else this.#idempotence.renew(answer.producerId, answer.epoch)
  }

  /** zstd needs Produce v7 (KIP-110): a broker that speaks less would refuse every batch. */
  #checkCodec (conn: Connection): void {
    const codec = this.#o.compression
    const produce = (this.#versions as Versions).produce
    if (produce < MIN_PRODUCE_VERSION[codec]) {
      throw new KprodError('KPROD_BROKER', `--compression ${codec} needs Produce v${MIN_PRODUCE_VERSION[codec]} or later; broker ${conn.address} speaks up to v${produce}`)
    }
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
        conn = await this.#open(host, port, true)
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
    return {
      produce,
      metadata,
      describeConfigs: pickVersion(API.DESCRIBE_CONFIGS, answer.ranges),
      initProducerId: pickVersion(API.INIT_PRODUCER_ID, answer.ranges),
      saslAuthenticate: pickVersion(API.SASL_AUTHENTICATE, answer.ranges)
    }
  }

  async #metadata (conn: Connection, authorizedOperations = false): Promise<MetadataInfo> {
    const version = (this.#versions as Versions).metadata
    const id = conn.nextCorrelationId()
    const frame = metadataRequest(version, id, this.#o.clientId, [this.target], authorizedOperations)
    return decodeMetadata(await conn.request(frame, id, this.#o.requestTimeoutMs, 'Metadata'), version)
  }

  /** Takes a metadata answer in; returns the topic's partitions or throws its error. */
  #apply (info: MetadataInfo, checkWrite = false): number[] {
    const topic = info.topics.find((t) => t.name === this.target)
    if (topic === undefined) throw new BrokerError(3, `topic '${this.target}' is not in the metadata answer`)
    if (topic.errorCode !== 0) throw new BrokerError(topic.errorCode, topic.errorCode === 29 ? this.#lacks('DESCRIBE') : `metadata for topic '${this.target}'`)
    const ops = topic.authorizedOperations
    if (checkWrite && ops !== null && (ops & (ACL_WRITE | ACL_ALL)) === 0) {
      throw new KprodError('KPROD_AUTH', `TOPIC_AUTHORIZATION_FAILED: ${this.#lacks('WRITE')}`)
    }
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

  /**
   * The start-up connection becomes lane 0 of the broker it reached when that broker advertises
   * the same address, as librdkafka does with its bootstrap connection: one connection set-up
   * (with TLS and SASL a handshake and 3-4 round trips, most of the broker's cost of a connection)
   * fewer per run. Returns whether it was kept.
   */
  #keepBootstrap (conn: Connection): boolean {
    if (this.#closed || conn.closed) return false
    const broker = [...this.#brokers.values()].find((b) => `${b.host}:${b.port}` === conn.address)
    if (broker === undefined || this.#connections.get(broker.nodeId)?.has(0) === true) return false
    this.#bootstraps.delete(conn)
    this.#lane(broker.nodeId, 0, Promise.resolve(conn))
    return true
  }

  /** Connection `lane` to a node, opened on first use and again after it closed. */
  #connection (nodeId: number, lane = 0): Promise<Connection> {
    const existing = this.#connections.get(nodeId)?.get(lane)
    if (existing !== undefined) return existing
    const broker = this.#brokers.get(nodeId)
    if (broker === undefined) return Promise.reject(new KprodError('KPROD_BROKER', `broker ${nodeId} is not in the cluster metadata`, { retriable: true }))
    return this.#lane(nodeId, lane, this.#open(broker.host, broker.port))
  }

  /** Registers `connecting` as connection `lane` to a node until it closes (or fails to open). */
  #lane (nodeId: number, lane: number, connecting: Promise<Connection>): Promise<Connection> {
    let lanes = this.#connections.get(nodeId)
    if (lanes === undefined) this.#connections.set(nodeId, lanes = new Map())
    const forget = (): void => { if (lanes.get(lane) === opening) lanes.delete(lane) }
    const opening = connecting.then((conn) => {
      conn.onClose = () => {
        forget()
        this.#stale = true
      }
      if (this.#closed) conn.close()
      if (conn.closed) forget()
      return conn
    })
    lanes.set(lane, opening)
    opening.catch(forget)
    return opening
  }

  /** A connection that has said ApiVersions and, with SASL, authenticated; `startup` ones close() ends early. */
  async #open (host: string, port: number, startup = false): Promise<Connection> {
    const { security, connectTimeoutMs, clock } = this.#o
    const tls = this.#tls === null || security.tls === null ? null : { options: this.#tls, settings: security.tls }
    const conn = await Connection.open({ host, port, connectTimeoutMs, clock, tls })
    if (startup) {
      // Tracked before its first request: a broker that accepts and never answers must not hold the exit.
      for (const c of this.#bootstraps) if (c.closed) this.#bootstraps.delete(c)
      this.#bootstraps.add(conn)
    }
    try {
      this.#versions ??= await this.#apiVersions(conn)
      const sasl = security.sasl
      if (sasl !== null) {
        // The SASL code (node:crypto for SCRAM, node:child_process for token commands) only when SASL is configured.
        const { authenticate } = await import('./sasl/authenticate.ts')
        const context: SaslContext = {
          sasl,
          clientId: this.#o.clientId,
          requestTimeoutMs: this.#o.requestTimeoutMs,
          authenticateVersion: this.#versions.saslAuthenticate ?? 0,
          env: this.#o.env,
          brokers: this.#o.brokers
        }
        const again = (): Promise<number> => authenticate(conn, context)
        conn.reauthenticateWithin(await again(), again)
      }
      return conn
    } catch (err) {
      conn.close()
      throw err
    }
  }

  /** Which ACL is missing, for messages. */
  #lacks (operation: string): string {
    return `principal ${principalOf(this.#o.security)} lacks ${operation} on topic '${this.target}'`
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
