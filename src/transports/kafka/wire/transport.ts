// kprod's own Kafka client (--kafka-client wire, the default): the same Transport contract as the
// kafkajs one, built on the protocol directly. One send() = one Produce request carrying one v2
// record batch encoded straight from the input lines into one Buffer, written to the partition
// leader's pipelined connection. No retries inside: on a leadership or connection error the
// metadata is marked stale and refreshed before the next send (cluster.ts keeps the metadata and
// the connections), and the producer decides whether to retry. With idempotence (the default with
// --acks all) each batch carries the producer id, epoch and sequence of idempotence.ts, kept across
// its retries on the same partition.

import type { Batch } from '../../../batch/batch.ts'
import { KprodError } from '../../../errors.ts'
import { fromBrokerError, notWritten } from '../errors.ts'
import { DEFAULT_MAX_MESSAGE_BYTES, IdleTimer, connectKafka, deliveredRecords, limitsFor, type KafkaTransportOptions } from '../common.ts'
import type { Router, SendResult, Topology, Transport, TransportLimits } from '../../transport.ts'
import { DEFAULT_ROUTING, kafkaRouter } from '../router.ts'
import { BufferPool } from './buffer-pool.ts'
import { Cluster } from './cluster.ts'
import type { Connection } from './connection.ts'
import { BrokerError } from './error-codes.ts'
import { produceOutcome } from './produce-answer.ts'
import { decodeDescribeConfigs, decodeInitProducerId, decodeProduce, describeTopicConfigRequest, initProducerIdRequest } from './messages.ts'
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

export class KafkaWireTransport implements Transport {
  readonly kind = 'kafka' as const
  readonly target: string
  readonly notes: string[] = []
  readonly #o: WireTransportOptions
  #limits: TransportLimits
  /** Brokers, leaders, API versions and connections. */
  readonly #cluster: Cluster
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
  /** Partitions whose send in flight has handed its Produce request to a connection (one send per partition at a time). */
  readonly #written = new Set<number>()
  /** The idempotent producer's state; null when idempotence is off. */
  #idempotence: IdempotentProducer | null = null
  #renewing: Promise<void> | null = null
  /** Batches delivered without offsets (DUPLICATE_SEQUENCE_NUMBER), for the summary notes. */
  #unplaced = 0

  constructor (options: WireTransportOptions) {
    this.#o = options
    this.#cluster = new Cluster(options)
    this.#headers = encodeHeaders(options.headers ?? [])
    this.target = options.topic
    this.#limits = limitsFor(options, DEFAULT_MAX_MESSAGE_BYTES)
    this.#idle = new IdleTimer(options.clock, options.connectionMaxIdleMs, () => { this.#cluster.closeConnections().catch(() => {}) })
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
    const cluster = this.#cluster
    return connectKafka(this.#o, async () => {
      const conn = await cluster.bootstrap()
      let kept = false
      try {
        this.#checkCodec(conn)
        // Pipelined on one connection: start-up is most of a short run. The topic's metadata is
        // looked at first, so that a missing topic or ACL is the error the run reports.
        const metadata = cluster.metadata(conn, true)
        const rest = Promise.all([
          this.#readMaxMessageBytes(conn),
          this.#o.idempotent && this.#idempotence === null ? this.#initProducerId(conn) : null
        ])
        rest.catch(() => {})
        const partitions = cluster.apply(await metadata, true)
        await rest
        kept = cluster.keepBootstrap(conn)
        return { partitions }
      } finally {
        if (!kept) conn.close()
      }
    }, () => { cluster.closeStartup() })
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    this.#idle.begin()
    this.#written.delete(partition)
    try {
      return await this.#produce(batch, partition)
    } catch (err) {
      this.#cluster.markStale()
      // Whether the records may be in the log depends on whether the request was written, not on
      // the error: a metadata timeout or a refused connection before it means definitely not.
      const error = asKprodError(err)
      return { response: null, error: this.#written.has(partition) ? error : notWritten(error), records: null }
    } finally {
      this.#idle.end()
    }
  }

  async close (): Promise<void> {
    if (this.#cluster.closed) return
    this.#idle.stop()
    if (this.#unplaced > 0) {
      this.notes.push(`idempotent producer: ${this.#unplaced} batch(es) answered DUPLICATE_SEQUENCE_NUMBER (written on an earlier attempt; the broker no longer knew their offsets): delivered, with null positions`)
    }
    const bumps = this.#idempotence?.bumps ?? 0
    if (bumps > 0) {
      this.notes.push(`idempotent producer: ${bumps} epoch bump(s) or new producer id(s): a batch was refused for its sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID) or given up unsettled, so its partition's sequence started over`)
    }
    await this.#cluster.close()
  }

  async #produce (batch: Batch, partition: number): Promise<SendResult> {
    const cluster = this.#cluster
    if (cluster.stale || cluster.leader(partition) === undefined) await cluster.refresh()
    const leader = cluster.leader(partition) ?? -1
    if (leader < 0) {
      cluster.markStale()
      throw new KprodError('KPROD_BROKER', `LEADER_NOT_AVAILABLE: no leader known for partition ${partition}`, { retriable: true })
    }
    const conn = await cluster.connectionFor(leader, partition)
    const { acks, ackTimeoutMs, requestTimeoutMs, clientId, compression: codec } = this.#o
    const versions = cluster.versions
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
    const outcome = produceOutcome(answer, { idempotent: idempotence !== null, broker: leader, lacksWrite: () => cluster.lacks('WRITE') })
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
        if (outcome.staleMetadata) cluster.markStale()
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
    const version = this.#cluster.versions.initProducerId
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
    const produce = this.#cluster.versions.produce
    if (produce < MIN_PRODUCE_VERSION[codec]) {
      throw new KprodError('KPROD_BROKER', `--compression ${codec} needs Produce v${MIN_PRODUCE_VERSION[codec]} or later; broker ${conn.address} speaks up to v${produce}`)
    }
  }

  async #readMaxMessageBytes (conn: Connection): Promise<void> {
    const version = this.#cluster.versions.describeConfigs
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
}

function okResult (n: number, partition: number, baseOffset: string | null, response: Record<string, unknown>): SendResult {
  return { response, error: null, records: deliveredRecords(n, partition, baseOffset) }
}

function asKprodError (err: unknown): KprodError {
  if (err instanceof KprodError) return err
  if (err instanceof BrokerError) return fromBrokerError(err.type, err.message, err.retriable, err)
  return new KprodError('KPROD_BROKER', err instanceof Error ? err.message : String(err), { retriable: true, cause: err })
}
