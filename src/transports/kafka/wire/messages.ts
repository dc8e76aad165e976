// The few Kafka requests kprod's own client makes, in their non-flexible versions: ApiVersions v0,
// Metadata v1-v8, DescribeConfigs v1-v3, InitProducerId v0-v1, and the Produce v3-v8 response (its request is encoded
// in record-batch.ts). Each decoder reads a response body after the correlation id.

import { API, Reader, requestHeader } from './protocol.ts'

/** The versions kprod can speak per API: [lowest, highest]. */
export const SPOKEN: Readonly<Record<number, readonly [number, number]>> = {
  [API.PRODUCE]: [3, 8],
  [API.METADATA]: [1, 8],
  [API.DESCRIBE_CONFIGS]: [1, 3],
  [API.INIT_PRODUCER_ID]: [0, 1],
  [API.SASL_HANDSHAKE]: [1, 1],
  [API.SASL_AUTHENTICATE]: [0, 1]
}

export type VersionRanges = ReadonlyMap<number, readonly [number, number]>

export function apiVersionsRequest (correlationId: number, clientId: string): Buffer {
  return requestHeader(API.API_VERSIONS, 0, correlationId, clientId).framed()
}

export function decodeApiVersions (r: Reader): { errorCode: number, ranges: VersionRanges } {
  const errorCode = r.int16()
  const ranges = new Map<number, readonly [number, number]>()
  for (const [key, min, max] of r.array((a) => [a.int16(), a.int16(), a.int16()] as const)) ranges.set(key, [min, max])
  return { errorCode, ranges }
}

/** The highest version both sides speak, or null. */
export function pickVersion (api: number, broker: VersionRanges): number | null {
  const ours = SPOKEN[api]
  const theirs = broker.get(api)
  if (ours === undefined || theirs === undefined) return null
  const v = Math.min(ours[1], theirs[1])
  return v >= Math.max(ours[0], theirs[0]) ? v : null
}

export interface BrokerInfo { readonly nodeId: number, readonly host: string, readonly port: number }
export interface PartitionInfo { readonly errorCode: number, readonly partition: number, readonly leader: number }
export interface TopicInfo {
  readonly errorCode: number
  readonly name: string
  readonly partitions: readonly PartitionInfo[]
  /** Metadata v8+ asked with `authorizedOperations`: a bit per ACL operation code; null: not known. */
  readonly authorizedOperations: number | null
}

/** Bit of the WRITE (4) and ALL (2) ACL operations in authorized-operations bit fields. */
export const ACL_WRITE = 1 << 4
export const ACL_ALL = 1 << 2
const OPERATIONS_UNKNOWN = -2147483648
export interface MetadataInfo { readonly brokers: readonly BrokerInfo[], readonly topics: readonly TopicInfo[] }

export function metadataRequest (version: number, correlationId: number, clientId: string, topics: readonly string[], authorizedOperations = false): Buffer {
  const w = requestHeader(API.METADATA, version, correlationId, clientId)
  w.array(topics, (w, t) => w.string(t))
  if (version >= 4) w.bool(false) // allow_auto_topic_creation: kprod never creates topics
  if (version >= 8) w.bool(false).bool(authorizedOperations) // cluster, topic authorized operations
  return w.framed()
}

export function decodeMetadata (r: Reader, version: number): MetadataInfo {
  if (version >= 3) r.int32() // throttle time
  const brokers = r.array((b) => {
    const info = { nodeId: b.int32(), host: b.string(), port: b.int32() }
    b.nullableString() // rack
    return info
  })
  if (version >= 2) r.nullableString() // cluster id
  r.int32() // controller id
  const topics = r.array((t) => {
    const errorCode = t.int16()
    const name = t.string()
    t.bool() // is internal
    const partitions = t.array((p) => {
      const info = { errorCode: p.int16(), partition: p.int32(), leader: p.int32() }
      if (version >= 7) p.int32() // leader epoch
      p.array((n) => n.int32()) // replicas
      p.array((n) => n.int32()) // isr
      if (version >= 5) p.array((n) => n.int32()) // offline replicas
      return info
    })
    const ops = version >= 8 ? t.int32() : OPERATIONS_UNKNOWN
    return { errorCode, name, partitions, authorizedOperations: ops === OPERATIONS_UNKNOWN ? null : ops }
  })
  return { brokers, topics }
}

const TOPIC_RESOURCE = 2

export function describeTopicConfigRequest (version: number, correlationId: number, clientId: string, topic: string, names: readonly string[]): Buffer {
  const w = requestHeader(API.DESCRIBE_CONFIGS, version, correlationId, clientId)
  w.array([topic], (w, t) => { w.int8(TOPIC_RESOURCE).string(t).array(names, (w, n) => w.string(n)) })
  w.bool(false) // include synonyms
  if (version >= 3) w.bool(false) // include documentation
  return w.framed()
}

export interface ConfigResult { readonly errorCode: number, readonly errorMessage: string | null, readonly values: ReadonlyMap<string, string | null> }

export function decodeDescribeConfigs (r: Reader, version: number): ConfigResult[] {
  r.int32() // throttle time
  return r.array((res) => {
    const errorCode = res.int16()
    const errorMessage = res.nullableString()
    res.int8()
    res.string()
    const values = new Map<string, string | null>()
    res.array((c) => {
      const name = c.string()
      values.set(name, c.nullableString())
      c.bool() // read only
      c.int8() // source
      c.bool() // sensitive
      c.array((s) => { s.string(); s.nullableString(); s.int8() }) // synonyms
      if (version >= 3) { c.int8(); c.nullableString() } // type, documentation
    })
    return { errorCode, errorMessage, values }
  })
}

export interface ProducePartitionResult {
  readonly topic: string
  readonly partition: number
  readonly errorCode: number
  readonly baseOffset: string
  readonly logAppendTime: string
  readonly logStartOffset: string | null
  readonly errorMessage: string | null
  readonly throttleTimeMs: number
}

/** The single partition result of a one-partition Produce response. */
export function decodeProduce (r: Reader, version: number): ProducePartitionResult {
  const results: Omit<ProducePartitionResult, 'throttleTimeMs'>[] = []
  r.array((t) => {
    const topic = t.string()
    t.array((p) => {
      const partition = p.int32()
      const errorCode = p.int16()
      const baseOffset = p.int64()
      const logAppendTime = p.int64()
      const logStartOffset = version >= 5 ? p.int64() : null
      let errorMessage: string | null = null
      if (version >= 8) {
        const recordErrors = p.array((e) => `record ${e.int32()}: ${e.nullableString() ?? 'error'}`)
        errorMessage = p.nullableString()
        if (recordErrors.length > 0) errorMessage = [errorMessage ?? '', ...recordErrors].filter((s) => s !== '').join('; ')
      }
      results.push({ topic, partition, errorCode, baseOffset, logAppendTime, logStartOffset, errorMessage })
    })
  })
  const throttleTimeMs = r.int32()
  const first = results[0]
  if (first === undefined || results.length !== 1) throw new Error(`produce response has ${results.length} partition results, expected 1`)
  return { ...first, throttleTimeMs }
}

/** InitProducerId for an idempotent producer: no transactional id; the timeout means nothing then (Java sends Integer.MAX_VALUE). */
export function initProducerIdRequest (version: number, correlationId: number, clientId: string): Buffer {
  return requestHeader(API.INIT_PRODUCER_ID, version, correlationId, clientId).string(null).int32(2147483647).framed()
}

export interface ProducerIdResult { readonly errorCode: number, readonly producerId: string, readonly epoch: number }

export function decodeInitProducerId (r: Reader): ProducerIdResult {
  r.int32() // throttle time
  return { errorCode: r.int16(), producerId: r.int64(), epoch: r.int16() }
}
