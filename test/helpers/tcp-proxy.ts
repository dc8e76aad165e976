// A loopback TCP proxy in front of one Kafka broker, for fault tests. The broker advertises the
// proxy's port (scripts/local-kafka's KPROD_KAFKA_ADVERTISED_PORTS), so every client connection
// goes through it. A plan applies at once to open connections as well as new ones.

import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * - pass: forward both ways;
 * - delay: hold every piece `ms` before forwarding it (order kept), both ways;
 * - throttle: the link carries at most `bytesPerSecond` each way, shared by every connection (a
 *   piece goes out once the link has carried what was queued before it);
 * - blackhole: accept and read, forward nothing and answer nothing;
 * - reset: forward `afterBytes` more bytes of requests per connection, then reset it (TCP RST);
 * - drop-responses: forward requests to the broker, swallow its answers (the broker has written them).
 */
export type TcpPlan =
  | { readonly mode: 'pass' }
  | { readonly mode: 'delay', readonly ms: number }
  | { readonly mode: 'throttle', readonly bytesPerSecond: number }
  | { readonly mode: 'blackhole' }
  | { readonly mode: 'reset', readonly afterBytes: number }
  | { readonly mode: 'drop-responses' }

export interface TcpProxy {
  readonly port: number
  /** Where to forward (the broker's own port); connections before this wait for it. */
  setTarget (port: number): void
  setPlan (plan: TcpPlan): void
  /** held: pieces held back by a delay or throttle (or behind one). */
  readonly stats: { connections: number, resets: number, held: number }
  close (): Promise<void>
}

interface Pair {
  readonly client: Socket
  readonly upstream: Socket
  /** Request bytes forwarded since the plan was set. */
  sent: number
  // Pieces held back, per direction, in order with when each may go: later pieces never overtake
  // them, even after the plan changed (a byte stream reordered is a corrupt one, not a slow one).
  readonly held: { up: Held[], down: Held[] }
}

interface Held { readonly at: number, readonly data: Buffer }

/** Writes the held pieces that are due, in order, and waits for the next one. */
function release (queue: Held[], to: Socket): void {
  while (queue.length > 0 && (queue[0] as Held).at <= Date.now()) to.write((queue.shift() as Held).data)
  if (queue.length > 0 && !to.destroyed) setTimeout(() => release(queue, to), Math.max(1, (queue[0] as Held).at - Date.now()))
}

export async function startTcpProxy (): Promise<TcpProxy> {
  let target: number | null = null
  let waiting: Array<() => void> = []
  let plan: TcpPlan = { mode: 'pass' }
  const pairs = new Set<Pair>()
  const stats = { connections: 0, resets: 0, held: 0 }
  /** Under throttle: when each direction of the link has carried everything queued on it. */
  const linkAt = { up: 0, down: 0 }

  const forward = (pair: Pair, to: Socket, data: Buffer, direction: 'up' | 'down'): void => {
    const p = plan
    if (p.mode === 'blackhole') return
    if (p.mode === 'drop-responses' && direction === 'down') return
    if (p.mode === 'reset' && direction === 'up') {
      const room = p.afterBytes - pair.sent
      if (room <= 0 || data.length >= room) {
        if (room > 0) to.write(data.subarray(0, room))
        stats.resets++
        pair.client.resetAndDestroy()
        pair.upstream.destroy()
        return
      }
      pair.sent += data.length
    }
    const queue = pair.held[direction]
    let at = Date.now()
    if (p.mode === 'delay') at += p.ms
    if (p.mode === 'throttle') {
      // The link is busy until linkAt: this piece goes out once it has been carried after that.
      linkAt[direction] = Math.max(at, linkAt[direction]) + data.length * 1000 / p.bytesPerSecond
      at = linkAt[direction]
    }
    if (queue.length === 0 && at <= Date.now()) {
      to.write(data)
      return
    }
    stats.held++
    queue.push({ at: Math.max(at, (queue.at(-1) as Held | undefined)?.at ?? 0), data })
    if (queue.length === 1) release(queue, to)
  }

  const server: Server = createServer((client) => {
    stats.connections++
    client.pause()
    const open = (): void => {
      const upstream = connect({ host: '127.0.0.1', port: target as number })
      const pair: Pair = { client, upstream, sent: 0, held: { up: [], down: [] } }
      pairs.add(pair)
      const drop = (): void => {
        pairs.delete(pair)
        client.destroy()
        upstream.destroy()
      }
      client.on('error', drop).on('close', drop)
      upstream.on('error', drop).on('close', drop)
      upstream.on('connect', () => client.resume())
      client.on('data', (d: Buffer) => forward(pair, upstream, d, 'up'))
      upstream.on('data', (d: Buffer) => forward(pair, client, d, 'down'))
    }
    if (target !== null) open()
    else waiting.push(open)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    setTarget (port) {
      target = port
      const ready = waiting
      waiting = []
      for (const open of ready) open()
    },
    setPlan (next) {
      plan = next
      for (const pair of pairs) pair.sent = 0
    },
    async close () {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** A port that accepts connections and never answers: a hung process, a wrong service. */
export async function startSilentPort (): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    async close () {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
