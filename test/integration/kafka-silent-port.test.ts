// A "broker" that accepts connections and never answers (a loopback TCP server in the test):
// with either client kprod must exit 3 within --connect-timeout (+1 s), and a SIGTERM while it
// connects must end the run at once (143, with its summary), not after the request timeout.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { kprod } from '../helpers/cli.ts'

const CLIENTS = ['wire', 'kafkajs'] as const

interface Silent {
  readonly address: string
  /** Resolves with the time of the first accepted connection: kprod is connecting by then. */
  readonly firstAccept: Promise<number>
  readonly server: Server
}

async function silentServer (t: { after: (fn: () => void | Promise<void>) => void }): Promise<Silent> {
  const sockets = new Set<Socket>()
  let accepted: (at: number) => void = () => {}
  const firstAccept = new Promise<number>((resolve) => { accepted = resolve })
  const server = createServer((socket) => {
    accepted(Date.now())
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    // Reads whatever comes and never writes a byte back.
    socket.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, firstAccept, server }
}

for (const client of CLIENTS) {
  test(`--kafka-client ${client}: a port that accepts and never answers is exit 3 within --connect-timeout (+1 s)`, async (t) => {
    const silent = await silentServer(t)
    const connectTimeout = 3000
    const run = await kprod(['--brokers', silent.address, '--topic', 't', '--kafka-client', client, '--no-progress',
      '--connect-timeout', String(connectTimeout)], { input: 'x\n', timeoutMs: 60_000 })
    const exitedAt = Date.now()
    const took = exitedAt - await silent.firstAccept
    assert.equal(run.code, 3, run.stderr)
    assert.ok(took <= connectTimeout + 1000, `exited ${took} ms after it first connected (--connect-timeout ${connectTimeout})`)
    assert.match(run.stderr, new RegExp(`cannot reach the Kafka brokers ${silent.address} \\(--brokers\\) within ${connectTimeout} ms`))
    assert.equal(run.summary.exitCode, 3)
    assert.match(run.stderr.trimEnd().split('\n').at(-1) as string, /^kprod: exit 3: nothing was sent: cannot reach the Kafka brokers/)
  })

  test(`--kafka-client ${client}: SIGTERM while connecting to a silent port exits 143 at once, with the summary`, async (t) => {
    const silent = await silentServer(t)
    let signalledAt = 0
    const run = await kprod(['--brokers', silent.address, '--topic', 't', '--kafka-client', client, '--no-progress',
      '--connect-timeout', '60000'], {
      input: 'x\n',
      timeoutMs: 60_000,
      onSpawn: (child) => {
        silent.firstAccept.then(() => setTimeout(() => { signalledAt = Date.now(); child.kill('SIGTERM') }, 500), () => {})
      }
    })
    const took = Date.now() - signalledAt
    assert.equal(run.code, 143, run.stderr)
    assert.ok(signalledAt > 0 && took <= 1000, `exited ${took} ms after SIGTERM`)
    assert.equal(run.summary.signal, 'SIGTERM')
    assert.match(run.stderr, /interrupted by SIGTERM while connecting/)
  })
}
