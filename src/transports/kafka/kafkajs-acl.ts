// Whether kafkajs's principal may write to the topic, asked at start as the wire client asks it:
// Metadata v8 with include_topic_authorized_operations (KIP-430), which kafkajs cannot request (it
// speaks Metadata up to v6). The request goes over a connection of kafkajs's own, with its TLS and
// SASL login, made by its private cluster factory: kafkajs is pinned at 2.2.4 and frozen, and
// without this a missing Write ACL shows only when every batch fails.

import { ACL_ALL, ACL_WRITE, decodeMetadata, metadataRequest } from './wire/messages.ts'
import { API, Reader } from './wire/protocol.ts'

/** The parts of kafkajs's internal cluster and broker used here. */
interface KafkajsBroker {
  readonly versions: Readonly<Record<number, { minVersion: number, maxVersion: number }>> | null
  readonly connectionPool: { send: (p: { request: object, response: object }) => Promise<unknown> }
}
interface KafkajsCluster {
  connect: () => Promise<void>
  disconnect: () => Promise<void>
  readonly brokerPool: { readonly seedBroker: KafkajsBroker }
}

const VERSION = 8
/** Size, api key, version, correlation id and an empty client id: what kafkajs writes itself. */
const HEADER_BYTES = 4 + 2 + 2 + 4 + 2

/**
 * True when the broker says the principal may write to `topic` (WRITE or ALL), false when it says
 * it may not, null when that cannot be known (a broker before Kafka 2.3, or kafkajs's internals
 * not where 2.2.4 has them): the first batch then tells.
 */
export async function mayWrite (kafka: object, topic: string): Promise<boolean | null> {
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  const factory = create === undefined ? undefined : (kafka as Record<symbol, unknown>)[create]
  if (typeof factory !== 'function') return null
  const cluster = (factory as (o: object) => KafkajsCluster)({ allowAutoTopicCreation: false })
  await cluster.connect()
  try {
    const broker = cluster.brokerPool.seedBroker
    const range = broker.versions?.[API.METADATA]
    if (range === undefined || range.minVersion > VERSION || range.maxVersion < VERSION) return null
    const body = metadataRequest(VERSION, 0, '', [topic], true).subarray(HEADER_BYTES)
    const info = await broker.connectionPool.send({
      request: { apiKey: API.METADATA, apiVersion: VERSION, apiName: 'Metadata', encode: async () => ({ buf: body, buffer: body }) },
      response: { decode: async (payload: Buffer) => decodeMetadata(new Reader(payload), VERSION), parse: async (data: unknown) => data }
    }) as ReturnType<typeof decodeMetadata>
    const ops = info.topics.find((t) => t.name === topic)?.authorizedOperations ?? null
    return ops === null ? null : (ops & (ACL_WRITE | ACL_ALL)) !== 0
  } finally {
    await cluster.disconnect().catch(() => {})
  }
}
