// A loopback TCP proxy in front of one Kafka broker that understands just enough of the protocol
// to lose answers on purpose: it forwards every request unchanged, rewrites the broker address in
// Metadata answers to its own (so the client keeps talking through it), and can drop the answer
// to chosen Produce requests and close the connection, after the broker has handled them. That
// is the "maybe written" case a retry must not duplicate.

import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

const PRODUCE = 0
const METADATA = 3

export interface KafkaProxy {
  /** 127.0.0.1:PORT, to give as --brokers. */
  readonly bootstrap: string
  /** Produce requests forwarded so far. */
  readonly produceRequests: number
  /** Produce answers dropped so far. */
  readonly dropped: number
  /** Drops the answers to the Produce requests with these ordinals (1-based, over the proxy's life). */
  dropProduceAnswers (ordinals: readonly number[]): void
  close (): Promise<void>
}

export async function kafkaProxy (broker: string): Promise<KafkaProxy> {
  const at = broker.lastIndexOf(':')
  const host = broker.slice(0, at)
  const port = Number(broker.slice(at + 1))
  const sockets = new Set<Socket>()
  const drop = new Set<number>()
  let produceRequests = 0
  let dropped = 0
  let ownPort = 0

  const server = createServer((client) => {
    const upstream = connect({ host, port })
    sockets.add(client).add(upstream)
    const close = (): void => { client.destroy(); upstream.destroy() }
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
    client.pause()
    upstream.once('connect', () => client.resume())
    /** What each outstanding request was, by correlation id. */
    const asked = new Map<number, { api: number, version: number, produce: number }>()

    frames(client, (frame) => {
      const api = frame.readInt16BE(4)
      const version = frame.readInt16BE(6)
      const produce = api === PRODUCE ? ++produceRequests : 0
      asked.set(frame.readInt32BE(8), { api, version, produce })
      upstream.write(frame)
    })
    frames(upstream, (frame) => {
      const request = asked.get(frame.readInt32BE(4))
      asked.delete(frame.readInt32BE(4))
      if (request?.produce !== undefined && request.produce > 0 && drop.has(request.produce)) {
        dropped++
        close()
        return
      }
      client.write(request?.api === METADATA ? rewriteMetadata(frame, request.version, ownPort) : frame)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  ownPort = (server.address() as AddressInfo).port
  return {
    bootstrap: `127.0.0.1:${ownPort}`,
    get produceRequests () { return produceRequests },
    get dropped () { return dropped },
    dropProduceAnswers (ordinals) { for (const n of ordinals) drop.add(n) },
    async close () {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** Calls `onFrame` with each whole size-prefixed frame (prefix included) read from `socket`. */
function frames (socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0)
      if (pending.length < 4 + size) break
      onFrame(pending.subarray(0, 4 + size))
      pending = pending.subarray(4 + size)
    }
  })
}

/** A Metadata answer (v1-v8, non-flexible) with every broker moved to 127.0.0.1:`port`. */
function rewriteMetadata (frame: Buffer, version: number, port: number): Buffer {
  if (version < 1 || version > 8) throw new Error(`kafka-proxy: Metadata v${version} is not handled`)
  let at = 8 // size, correlation id
  if (version >= 3) at += 4 // throttle time
  const head = frame.subarray(4, at)
  const count = frame.readInt32BE(at)
  at += 4
  const brokers: Buffer[] = []
  const hostName = Buffer.from('127.0.0.1')
  for (let i = 0; i < count; i++) {
    const nodeId = frame.readInt32BE(at)
    at += 4
    at += 2 + frame.readInt16BE(at) // host
    at += 4 // port
    const rackLength = frame.readInt16BE(at)
    const rack = frame.subarray(at, at + 2 + Math.max(0, rackLength))
    at += rack.length
    const b = Buffer.alloc(4 + 2 + hostName.length + 4)
    b.writeInt32BE(nodeId, 0)
    b.writeInt16BE(hostName.length, 4)
    hostName.copy(b, 6)
    b.writeInt32BE(port, 6 + hostName.length)
    brokers.push(b, rack)
  }
  const countBytes = Buffer.alloc(4)
  countBytes.writeInt32BE(count)
  const body = Buffer.concat([head, countBytes, ...brokers, frame.subarray(at)])
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}
