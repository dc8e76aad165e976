// The secure piece of the bench (issue 13): W1 over SASL_SSL, kprod (PLAIN and SCRAM-SHA-512)
// beside kcat (PLAIN: Debian's kcat links librdkafka 2.0.2, whose SCRAM login Kafka 4.x rejects),
// alternating, each run on a fresh topic counted on the broker; then the cost of a SCRAM-SHA-512
// login, kprod's own SCRAM client (src/transports/kafka/wire/sasl/) against kafkajs's, on
// fresh connections to the same broker. Needs a broker from `scripts/local-kafka up --secure`.

import { closeSync, openSync } from 'node:fs'
import kafkajs from 'kafkajs'
import { median, round } from './stats.ts'
import { measure, summariseRuns, warmUp, type BenchResult, type Measured } from './tools.ts'
import { kcatArgs, kprodArgs, type Common } from './codecs.ts'
import type { FileWorkload } from './workloads.ts'
import { Connection } from '../src/transports/kafka/wire/connection.ts'
import { authenticate } from '../src/transports/kafka/wire/sasl/authenticate.ts'
import { apiVersionsRequest, decodeApiVersions } from '../src/transports/kafka/wire/messages.ts'
import { realClock } from '../src/util/clock.ts'

export interface SecureListeners { readonly saslSsl: string, readonly saslPlaintext: string, readonly caFile: string }

const USER = 'alice'
const PASSWORD = 'alice-secret'

const TOOLS = {
  'kprod PLAIN': (b: string, t: string, ca: string) => ({ cmd: process.execPath, args: kprodArgs(b, t, ['--security-protocol', 'sasl_ssl', '--ssl-ca', ca, '--sasl-mechanism', 'PLAIN', '--sasl-username', USER, '--sasl-password', PASSWORD]) }),
  'kprod SCRAM-SHA-512': (b: string, t: string, ca: string) => ({ cmd: process.execPath, args: kprodArgs(b, t, ['--security-protocol', 'sasl_ssl', '--ssl-ca', ca, '--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', USER, '--sasl-password', PASSWORD]) }),
  'kcat PLAIN': (b: string, t: string, ca: string) => ({ cmd: 'kcat', args: kcatArgs(b, t, ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${ca}`, '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`]) })
} as const
type Tool = keyof typeof TOOLS

/** W1 over SASL_SSL, every tool `runs` times, alternating the order. */
export async function saslSslBench (o: Common & { readonly w1: FileWorkload, readonly listeners: SecureListeners }): Promise<{ results: BenchResult[], ratios: Record<string, number | null> }> {
  const tools = Object.keys(TOOLS) as Tool[]
  const per = new Map<Tool, Array<Measured & { counted: number, ok: boolean }>>(tools.map((t) => [t, []]))
  // One run of each tool first, not counted: the broker's JIT warm-up of the TLS, SASL and produce paths.
  await warmUp(tools, `${o.w1.name} sasl_ssl`, (tool) => run(o, tool), o.log)
  for (let r = 0; r < o.runs; r++) {
    for (const tool of r % 2 === 0 ? tools : [...tools].reverse()) {
      const m = await run(o, tool)
      per.get(tool)!.push(m)
      o.log(`bench: ${o.w1.name} sasl_ssl run ${r + 1}/${o.runs} ${tool}: ${(m.wallMs / 1000).toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s, rss ${m.maxRssMb.toFixed(0)} MB, ${m.counted}/${o.w1.records}${m.ok ? '' : ' FAILED'}`)
    }
  }
  const results = tools.map((t) => summariseRuns(`${o.w1.name}-sasl_ssl`, t, o.w1.records, o.w1.size, per.get(t)!, (m) => m.counted))
  const kcat = results[2]!.recordsPerSec
  const ratios = {
    [`${o.w1.name}-sasl_ssl kprod PLAIN / kcat PLAIN`]: kcat === 0 ? null : round(results[0]!.recordsPerSec / kcat, 3),
    [`${o.w1.name}-sasl_ssl kprod SCRAM-SHA-512 / kcat PLAIN`]: kcat === 0 ? null : round(results[1]!.recordsPerSec / kcat, 3)
  }
  return { results, ratios }
}

async function run (o: Common & { readonly w1: FileWorkload, readonly listeners: SecureListeners }, tool: Tool): Promise<Measured & { counted: number, ok: boolean }> {
  const topic = o.topicName(`${o.w1.name}-sasl-ssl`, tool.replace(/\W+/g, '-'))
  await o.broker.createTopic(topic, {})
  const fd = openSync(o.w1.file, 'r')
  try {
    const { cmd, args } = TOOLS[tool](o.listeners.saslSsl, topic, o.listeners.caFile)
    const m = await measure(cmd, args, { fd }, `${o.dataDir}/time-${process.pid}.txt`)
    const counted = await o.broker.count(topic)
    const ok = m.code === 0 && counted === o.w1.records
    if (!ok) o.log(`bench: sasl_ssl ${tool}: exit ${m.code}, ${counted}/${o.w1.records}\n${m.stderrTail.slice(-1500)}`)
    return { ...m, counted, ok }
  } finally {
    closeSync(fd)
    await o.broker.deleteTopic(topic)
  }
}

/** Median wall and CPU of one fresh connection's ApiVersions + SCRAM-SHA-512 login, by client. */
export async function scramLoginBench (listeners: SecureListeners, rounds: number, log: (s: string) => void): Promise<Record<string, { medianWallMs: number, medianCpuMs: number, rounds: number }>> {
  const [host, port] = splitAddress(listeners.saslPlaintext)
  const clients = {
    'kprod wire (own SCRAM)': async () => {
      const conn = await Connection.open({ host, port, connectTimeoutMs: 10_000, clock: realClock })
      try {
        const id = conn.nextCorrelationId()
        decodeApiVersions(await conn.request(apiVersionsRequest(id, 'bench'), id, 10_000, 'ApiVersions'))
        await authenticate(conn, { sasl: { mechanism: 'SCRAM-SHA-512', username: USER, password: PASSWORD }, clientId: 'bench', requestTimeoutMs: 10_000, authenticateVersion: 1, env: {}, brokers: [] })
      } finally {
        conn.close()
      }
    },
    'kafkajs 2.2.4 SCRAM': async () => {
      const admin = new kafkajs.Kafka({ clientId: 'bench', brokers: [listeners.saslPlaintext], logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-512', username: USER, password: PASSWORD } }).admin()
      await admin.connect()
      await admin.disconnect()
    }
  }
  const samples = new Map<string, { wall: number[], cpu: number[] }>(Object.keys(clients).map((k) => [k, { wall: [], cpu: [] }]))
  for (const login of Object.values(clients)) await login() // warm-up: module loading and JIT
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? Object.entries(clients) : Object.entries(clients).reverse()
    for (const [name, login] of order) {
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      await login()
      const wall = performance.now() - t0
      const cpu = process.cpuUsage(cpu0)
      samples.get(name)!.wall.push(wall)
      samples.get(name)!.cpu.push((cpu.user + cpu.system) / 1000)
    }
  }
  const out: Record<string, { medianWallMs: number, medianCpuMs: number, rounds: number }> = {}
  for (const [name, s] of samples) {
    out[name] = { medianWallMs: round(median(s.wall), 2), medianCpuMs: round(median(s.cpu), 2), rounds }
    log(`bench: SCRAM-SHA-512 login, ${name}: median wall ${out[name].medianWallMs} ms, median CPU ${out[name].medianCpuMs} ms (${rounds} rounds)`)
  }
  return out
}

function splitAddress (a: string): [string, number] {
  const at = a.lastIndexOf(':')
  return [a.slice(0, at), Number(a.slice(at + 1))]
}
