// One TCP (or TLS) connection to one Kafka broker: size-prefixed frames, requests pipelined and
// matched to their responses by correlation id. A request timeout closes the connection (as the
// Java client does), since a late answer can no longer be trusted to belong to a live request.
// While a SASL re-authentication runs (KIP-368), other requests wait: the broker expects nothing
// else between SaslHandshake and the last SaslAuthenticate.

import { connect, type Socket } from 'node:net'
import { KprodError } from '../../../errors.ts'
import type { Clock, TimerHandle } from '../../../util/clock.ts'
import type { TlsSettings } from '../security.ts'
import { looksLikeTls, plaintextToTlsError, serverName, tlsFailure, type TlsOptions } from '../tls.ts'
import { Reader } from './protocol.ts'

export interface ConnectionOptions {
  readonly host: string
  readonly port: number
  readonly connectTimeoutMs: number
  readonly clock: Clock
  /** TLS (security.protocol SSL or SASL_SSL): the node:tls options and the settings they came from. */
  readonly tls?: { readonly options: TlsOptions, readonly settings: TlsSettings } | null
}

/** Far above any answer kprod asks for (produce, metadata and config answers are small). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024

interface Pending {
  readonly resolve: (body: Reader) => void
  readonly reject: (err: KprodError) => void
  readonly timer: TimerHandle
}

export class Connection {
  readonly address: string
  readonly #socket: Socket
  readonly #clock: Clock
  readonly #pending = new Map<number, Pending>()
  #correlation = 0
  #input: Buffer = Buffer.alloc(0)
  #closed: KprodError | null = null
  /** Set while a re-authentication runs: requests wait for it. */
  #gate: Promise<void> | null = null
  #reauthTimer: TimerHandle | null = null
  #answered = false
  /** Called once the connection ends, for whatever reason. */
  onClose: (() => void) | null = null

  private constructor (socket: Socket, address: string, clock: Clock) {
    this.#socket = socket
    this.address = address
    this.#clock = clock
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (err) => this.#fail(lost(this.address, err.message, true)))
    socket.on('close', () => this.#fail(lost(this.address, 'connection closed by the broker', true)))
  }

  /**
   * Opens a connection; rejects with a never-written KPROD_CONNECTION_LOST when it cannot, or with
   * a final KPROD_TLS error when the TLS handshake shows a setting is wrong.
   */
  static async open (o: ConnectionOptions): Promise<Connection> {
    const address = `${o.host}:${o.port}`
    const tls = o.tls ?? null
    // node:tls only when TLS is configured: loading it costs tens of ms of CPU a plaintext run need not pay.
    const connectTls = tls === null ? null : (await import('node:tls')).connect
    return await new Promise((resolve, reject) => {
      const socket = tls === null || connectTls === null
        ? connect({ host: o.host, port: o.port, noDelay: true })
        : connectTls({ host: o.host, port: o.port, ...sni(o.host), ...tls.options }).setNoDelay(true)
      let tcpConnected = false
      if (tls !== null) socket.once('connect', () => { tcpConnected = true })
      const timer = o.clock.setTimeout(() => {
        socket.destroy()
        reject(lost(address, `connection timeout after ${o.connectTimeoutMs} ms`, false))
      }, o.connectTimeoutMs)
      socket.once('error', (err: NodeJS.ErrnoException) => {
        o.clock.clearTimeout(timer)
        reject((tls === null ? null : tlsFailure(err, address, tcpConnected, tls.settings)) ?? lost(address, err.message, false))
      })
      socket.once(tls === null ? 'connect' : 'secureConnect', () => {
        o.clock.clearTimeout(timer)
        socket.removeAllListeners('error')
        socket.setKeepAlive(true)
        resolve(new Connection(socket, address, o.clock))
      })
    })
  }

  get closed (): boolean { return this.#closed !== null }
  get pending (): number { return this.#pending.size }

  nextCorrelationId (): number {
    this.#correlation = (this.#correlation + 1) & 0x7fffffff
    return this.#correlation
  }

  /**
   * Sends a framed request and resolves with a reader positioned after the response's correlation
   * id. `written` runs once the socket no longer needs `frame` (written, or the connection failed).
   */
  request (frame: Buffer, correlationId: number, timeoutMs: number, what: string, written?: () => void, ungated = false): Promise<Reader> {
    if (this.#gate !== null && !ungated) {
      return this.#gate.then(() => this.request(frame, correlationId, timeoutMs, what, written))
    }
    if (this.#closed !== null) {
      written?.()
      return Promise.reject(lost(this.address, this.#closed.message, false))
    }
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(correlationId)
        reject(new KprodError('KPROD_REQUEST_TIMEOUT', `${what}: no answer from broker ${this.address} within ${timeoutMs} ms (--request-timeout)`, { retriable: true, maybeWritten: true }))
        this.close(`a request timed out after ${timeoutMs} ms`)
      }, timeoutMs)
      this.#pending.set(correlationId, { resolve, reject, timer })
      this.#socket.write(frame, written)
    })
  }

  /** Sends a request that gets no response (acks=0): resolves once the bytes are handed to the OS. */
  send (frame: Buffer, written?: () => void): Promise<void> {
    if (this.#gate !== null) return this.#gate.then(() => this.send(frame, written))
    if (this.#closed !== null) {
      written?.()
      return Promise.reject(lost(this.address, this.#closed.message, false))
    }
    return new Promise((resolve, reject) => {
      this.#socket.write(frame, (err) => {
        written?.()
        if (err === undefined || err === null) resolve()
        else reject(lost(this.address, err.message, true))
      })
    })
  }

  /**
   * KIP-368: runs `authenticate` again (its requests pass with `ungated`) before the session of
   * `lifetimeMs` ends, at 85-95% of it as the Java client does, and again after each success. A
   * failed re-authentication closes the connection with its error.
   */
  reauthenticateWithin (lifetimeMs: number, authenticate: () => Promise<number>): void {
    if (lifetimeMs <= 0 || this.#closed !== null) return
    const delay = Math.max(0, Math.floor(lifetimeMs * (0.85 + Math.random() * 0.1)))
    this.#reauthTimer = this.#clock.setTimeout(() => {
      this.#reauthTimer = null
      this.#gate = authenticate().then((next) => {
        this.#gate = null
        this.reauthenticateWithin(next, authenticate)
      }, (err: unknown) => {
        this.#gate = null
        const e = err instanceof KprodError ? err : lost(this.address, `re-authentication failed: ${String(err)}`, true)
        this.#fail(e)
        this.#socket.destroy()
      })
    }, delay)
  }

  close (reason = 'closed by kprod'): void {
    this.#fail(lost(this.address, reason, true))
    this.#socket.destroy()
  }

  #onData (chunk: Buffer): void {
    if (!this.#answered) {
      this.#answered = true
      // A plaintext client at a TLS listener gets a TLS alert back: a setting, not a network fault.
      if (looksLikeTls(chunk)) {
        this.#fail(plaintextToTlsError(this.address))
        this.#socket.destroy()
        return
      }
    }
    let buf = this.#input.length === 0 ? chunk : Buffer.concat([this.#input, chunk])
    while (buf.length >= 4) {
      const size = buf.readInt32BE(0)
      if (size < 4 || size > MAX_RESPONSE_BYTES) {
        this.close(`answered a frame of ${size} bytes, which is no Kafka response`)
        return
      }
      if (buf.length < 4 + size) break
      const frame = buf.subarray(4, 4 + size)
      buf = buf.subarray(4 + size)
      const correlationId = frame.readInt32BE(0)
      const pending = this.#pending.get(correlationId)
      if (pending === undefined) continue // answered after its timeout: dropped
      this.#pending.delete(correlationId)
      this.#clock.clearTimeout(pending.timer)
      pending.resolve(new Reader(frame, 4))
    }
    // Keep a copy of a partial frame only: the chunk's memory is not pinned by small leftovers.
    this.#input = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf)
  }

  #fail (err: KprodError): void {
    if (this.#reauthTimer !== null) {
      this.#clock.clearTimeout(this.#reauthTimer)
      this.#reauthTimer = null
    }
    if (this.#closed === null) {
      this.#closed = err
      this.onClose?.()
    }
    for (const [id, p] of this.#pending) {
      this.#clock.clearTimeout(p.timer)
      this.#pending.delete(id)
      p.reject(err)
    }
  }
}

function sni (host: string): { servername?: string } {
  const name = serverName(host)
  return name === undefined ? {} : { servername: name }
}

function lost (address: string, message: string, maybeWritten: boolean): KprodError {
  return new KprodError('KPROD_CONNECTION_LOST', `broker ${address}: ${message}`, { retriable: true, maybeWritten })
}
