// kafkajs's sockets, made by kprod (kafkajs's socketFactory option) for two things kafkajs does not
// offer: knowing whether a send's Produce request was handed to a socket at all (kafkajs may
// replace the error of a request in flight with the error of the metadata refresh that follows,
// so the error alone cannot tell `failed` from `unknown`), and destroying every socket when a
// deadline passes, whatever kafkajs is still waiting for. At most one send per partition is in
// flight (the producer's rule), so a Produce request is matched to its send by its partition.

import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'
import { looksLikeTls } from './tls.ts'

/** kafkajs's ISocketFactory arguments. */
interface SocketFactoryArgs {
  readonly host: string
  readonly port: number
  readonly ssl?: ConnectionOptions | boolean | null | undefined
  readonly onConnect: () => void
}

/** kafkajs's default: keep-alive probes after a minute of silence. */
const KEEP_ALIVE_DELAY_MS = 60_000
const PRODUCE_API_KEY = 0

export class KafkajsSockets {
  readonly #sockets = new Set<Socket>()
  /** Partitions of the sends in flight, and whether their Produce request was written yet. */
  readonly #watched = new Map<number, boolean>()
  #destroyed = false
  /** host:port of a broker that answered a plaintext socket with TLS bytes (a TLS listener), or null. */
  #tlsAnswerFrom: string | null = null

  /** The socketFactory to give kafkajs. */
  readonly factory = ({ host, port, ssl, onConnect }: SocketFactoryArgs): Socket => {
    const useTls = ssl !== null && ssl !== undefined && ssl !== false
    const socket = useTls
      ? tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...(ssl === true ? {} : ssl) }, onConnect)
      : netConnect({ host, port }, onConnect)
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS)
    if (!useTls) {
      // kafkajs would read a TLS alert as the length of a huge frame and wait for the rest.
      socket.once('data', (chunk: Buffer) => {
        if (!looksLikeTls(chunk)) return
        this.#tlsAnswerFrom = `${host}:${port}`
        // With an error: kafkajs fails the connection on 'error', and waits on a bare 'close'.
        socket.destroy(new Error(`broker ${host}:${port} answered with TLS`))
      })
    }
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean
    socket.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      if (Buffer.isBuffer(chunk)) this.#sawWrite(chunk)
      return write(chunk, ...rest)
    }) as Socket['write']
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
    if (this.#destroyed) socket.destroy()
    return socket
  }

  /** A send to `partition` begins: nothing of it is written yet. */
  watch (partition: number): void {
    this.#watched.set(partition, false)
  }

  /** The send to `partition` ended; returns whether its Produce request reached a socket. */
  unwatch (partition: number): boolean {
    const written = this.#watched.get(partition) ?? true
    this.#watched.delete(partition)
    return written
  }

  /** host:port of a broker that answered plaintext with TLS: a TLS listener, so a setting to fix, not a fault to retry. */
  get tlsAnswerFrom (): string | null { return this.#tlsAnswerFrom }

  /** Sends in flight (watched and not yet ended). */
  get inFlight (): number { return this.#watched.size }

  /** Destroys every socket now and any made later: kafkajs's pending requests then fail at once. */
  destroyAll (): void {
    this.#destroyed = true
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
  }

  // kafkajs writes each request whole, in one write: size, api key, version, correlation id,
  // client id, then the Produce body. A Produce request that cannot be read marks every send in
  // flight as written, so a doubt always leans to `unknown`.
  #sawWrite (frame: Buffer): void {
    if (this.#watched.size === 0 || frame.length < 8 || frame.readInt16BE(4) !== PRODUCE_API_KEY) return
    const partition = producePartition(frame)
    if (partition !== null && this.#watched.has(partition)) {
      this.#watched.set(partition, true)
      return
    }
    for (const p of this.#watched.keys()) this.#watched.set(p, true)
  }
}

/**
 * The first partition of a framed Produce request (v0-v8: the non-flexible versions kafkajs
 * speaks), or null when the frame is not one kprod can read. kprod's sends carry one partition.
 */
export function producePartition (frame: Buffer): number | null {
  try {
    const version = frame.readInt16BE(6)
    let at = 12
    at = skipString(frame, at) // client id
    if (version >= 3) at = skipString(frame, at) // transactional id
    at += 2 + 4 // acks, timeout
    if (frame.readInt32BE(at) < 1) return null
    at = skipString(frame, at + 4) // topic name
    if (frame.readInt32BE(at) < 1) return null
    return frame.readInt32BE(at + 4)
  } catch {
    return null
  }
}

function skipString (frame: Buffer, at: number): number {
  const length = frame.readInt16BE(at)
  return at + 2 + Math.max(0, length)
}
