// The wire client's view of the cluster: the bootstrap connection, the API versions to speak, the
// topic's metadata (brokers, partition leaders, the Write ACL at start) and its refresh, and the
// open connections by broker and lane. The transport asks it for a partition's leader and
// connection, and marks it stale on a leadership or connection error: the next send refreshes it.

import { KprodError } from '../../../errors.ts'
import type { KafkaTransportOptions } from '../common.ts'
import { principalOf } from '../security.ts'
import { tlsOptions, type TlsOptions } from '../tls.ts'
import { Connection } from './connection.ts'
import { BrokerError } from './error-codes.ts'
import {
  ACL_ALL, ACL_WRITE, apiVersionsRequest, decodeApiVersions, decodeMetadata, metadataRequest, pickVersion,
  type BrokerInfo, type MetadataInfo, type VersionRanges
} from './messages.ts'
import { API } from './protocol.ts'
import type { SaslContext } from './sasl/authenticate.ts'

/** What the cluster view reads of the transport's options. */
export type ClusterOptions = Pick<KafkaTransportOptions, 'brokers' | 'topic' | 'clientId' | 'requestTimeoutMs' | 'connectTimeoutMs' | 'clock' | 'security' | 'env'> & {
  /** Connections per broker (at least 1): partition p goes over connection p mod this. */
  readonly produceConnections?: number
}

/** The version of each API kprod speaks with this cluster, from the first ApiVersions answer. */
export interface Versions {
  readonly produce: number
  readonly metadata: number
  readonly describeConfigs: number | null
  readonly initProducerId: number | null
  readonly saslAuthenticate: number | null
}

export class Cluster {
  readonly #o: ClusterOptions
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
  #closed = false
  /** Bootstrap connections, closed after use by their callers; close() ends any still open. */
  readonly #bootstraps = new Set<Connection>()
  /** Read once: the CA, certificate and key files of TLS, or null for plaintext. */
  readonly #tls: TlsOptions | null

  constructor (options: ClusterOptions) {
    this.#o = options
    this.#tls = options.security.tls === null ? null : tlsOptions(options.security.tls)
    this.#lanes = Math.max(1, Math.floor(options.produceConnections ?? 1))
  }

  /** Known once the first connection has opened (it asks ApiVersions). */
  get versions (): Versions { return this.#versions as Versions }

  /** Whether the metadata must be refreshed before the next send. */
  get stale (): boolean { return this.#stale }

  get closed (): boolean { return this.#closed }

  /** The leader node id of a partition (-1: none known; undefined: not in the metadata). */
  leader (partition: number): number | undefined { return this.#leaders.get(partition) }

  /** A leadership or connection error: the metadata is refreshed before the next send. */
  markStale (): void { this.#stale = true }

  /** The connection that carries `partition`'s requests to its leader: lane partition mod lanes. */
  connectionFor (leader: number, partition: number): Promise<Connection> {
    return this.#connection(leader, partition % this.#lanes)
  }

  /** A connection to any bootstrap broker that answers ApiVersions; also learns the versions to use. */
  async bootstrap (): Promise<Connection> {
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

  async metadata (conn: Connection, authorizedOperations = false): Promise<MetadataInfo> {
    const version = (this.#versions as Versions).metadata
    const id = conn.nextCorrelationId()
    const frame = metadataRequest(version, id, this.#o.clientId, [this.#o.topic], authorizedOperations)
    return decodeMetadata(await conn.request(frame, id, this.#o.requestTimeoutMs, 'Metadata'), version)
  }

  /** Takes a metadata answer in; returns the topic's partitions or throws its error. */
  apply (info: MetadataInfo, checkWrite = false): number[] {
    const target = this.#o.topic
    const topic = info.topics.find((t) => t.name === target)
    if (topic === undefined) throw new BrokerError(3, `topic '${target}' is not in the metadata answer`)
    if (topic.errorCode !== 0) throw new BrokerError(topic.errorCode, topic.errorCode === 29 ? this.lacks('DESCRIBE') : `metadata for topic '${target}'`)
    const ops = topic.authorizedOperations
    if (checkWrite && ops !== null && (ops & (ACL_WRITE | ACL_ALL)) === 0) {
      throw new KprodError('KPROD_AUTH', `TOPIC_AUTHORIZATION_FAILED: ${this.lacks('WRITE')}`)
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

  /** One metadata refresh at a time; concurrent sends share it. */
  refresh (): Promise<void> {
    this.#refreshing ??= this.#refreshOnce().finally(() => { this.#refreshing = null })
    return this.#refreshing
  }

  /**
   * The start-up connection becomes lane 0 of the broker it reached when that broker advertises
   * the same address, as librdkafka does with its bootstrap connection: one connection set-up
   * (with TLS and SASL a handshake and 3-4 round trips, most of the broker's cost of a connection)
   * fewer per run. Returns whether it was kept.
   */
  keepBootstrap (conn: Connection): boolean {
    if (this.#closed || conn.closed) return false
    const broker = [...this.#brokers.values()].find((b) => `${b.host}:${b.port}` === conn.address)
    if (broker === undefined || this.#connections.get(broker.nodeId)?.has(0) === true) return false
    this.#bootstraps.delete(conn)
    this.#lane(broker.nodeId, 0, Promise.resolve(conn))
    return true
  }

  /** Which ACL is missing, for messages. */
  lacks (operation: string): string {
    return `principal ${principalOf(this.#o.security)} lacks ${operation} on topic '${this.#o.topic}'`
  }

  /** Ends the bootstrap connections (start, metadata refresh) still open, e.g. at the --connect-timeout deadline. */
  closeStartup (): void {
    for (const conn of this.#bootstraps) conn.close('given up: --connect-timeout passed or kprod is closing')
    this.#bootstraps.clear()
  }

  async closeConnections (): Promise<void> {
    const all = [...this.#connections.values()].flatMap((lanes) => [...lanes.values()])
    this.#connections.clear()
    for (const c of await Promise.allSettled(all)) if (c.status === 'fulfilled') c.value.close()
  }

  /** For good: a connection that opens after this closes at once, and none becomes a lane. */
  async close (): Promise<void> {
    this.#closed = true
    this.closeStartup()
    await this.closeConnections()
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
        this.apply(await this.metadata(conn))
        return
      } catch (err) {
        if (err instanceof BrokerError) throw err
      }
    }
    const conn = await this.bootstrap()
    try {
      this.apply(await this.metadata(conn))
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
}

function ranges (r: VersionRanges): string {
  const show = (api: number, name: string): string => `${name} ${r.get(api)?.join('-') ?? 'none'}`
  return `broker offers ${show(API.PRODUCE, 'Produce')}, ${show(API.METADATA, 'Metadata')}`
}
