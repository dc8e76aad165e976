// Test access to a real Kafka: the shared single-node cluster of scripts/local-kafka (or the one
// named by KPROD_TEST_KAFKA_BROKERS), private clusters for fault tests, topics, and kcat reads.
// A broker that cannot be started is a test failure, never a skip.

import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const ROOT = resolve(import.meta.dirname, '..', '..')
const SCRIPT = join(ROOT, 'scripts', 'local-kafka')

export interface Cluster {
  readonly bootstrap: string
  readonly home: string | null
  topic (options?: TopicOptions): Promise<string>
  deleteTopic (name: string): Promise<void>
  stopNode (index: number): Promise<void>
  /** SIGKILL: no controlled shutdown. */
  killNode (index: number): Promise<void>
  startNode (index: number): Promise<void>
  /** Starts every stopped node at once (a whole-cluster restart needs them together for a quorum). */
  startAll (brokers: number): Promise<void>
  down (): Promise<void>
}

export interface TopicOptions {
  readonly partitions?: number
  readonly replicationFactor?: number
  readonly config?: Readonly<Record<string, string>>
  readonly name?: string
}

async function script (args: string[], home: string | null, extraEnv: Readonly<Record<string, string>> = {}): Promise<string> {
  // A private cluster (several nodes, stopped and started by fault tests) can take over a minute
  // to form on a loaded 2-core machine: its waits get 180 s unless KPROD_KAFKA_TIMEOUT says otherwise.
  const env = home === null
    ? { ...process.env, ...extraEnv }
    : { KPROD_KAFKA_TIMEOUT: '180', ...process.env, ...extraEnv, KPROD_KAFKA_HOME: home }
  try {
    const { stdout } = await run(SCRIPT, args, { env, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new Error(`scripts/local-kafka ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`)
  }
}

function lastLine (text: string): string {
  const lines = text.trim().split('\n')
  return lines[lines.length - 1] ?? ''
}

function makeCluster (bootstrap: string, home: string | null): Cluster {
  return {
    bootstrap,
    home,
    async topic (options = {}) {
      const name = options.name ?? `t-${randomBytes(4).toString('hex')}`
      const args = ['topic', name, '--partitions', String(options.partitions ?? 1)]
      if (options.replicationFactor !== undefined) args.push('--replication-factor', String(options.replicationFactor))
      for (const [k, v] of Object.entries(options.config ?? {})) args.push('--config', `${k}=${v}`)
      await script(args, home)
      return name
    },
    async deleteTopic (name) {
      await script(['delete-topic', name], home)
    },
    async stopNode (index) { await script(['stop-node', String(index)], home) },
    async killNode (index) { await script(['stop-node', String(index), '--kill'], home) },
    async startAll (brokers) { await script(['up', '--brokers', String(brokers)], home) },
    async startNode (index) { await script(['start-node', String(index)], home) },
    async down () { await script(['down'], home) }
  }
}

let shared: Promise<Cluster> | null = null

/** The cluster most tests share: started once (idempotently), left running for the next file. */
export function sharedKafka (): Promise<Cluster> {
  shared ??= (async () => {
    const external = process.env.KPROD_TEST_KAFKA_BROKERS
    if (external !== undefined && external !== '') return makeCluster(external, null)
    return makeCluster(lastLine(await script(['up'], null)), null)
  })()
  return shared
}

/**
 * A cluster of its own (in a temp state folder), for tests that stop brokers. Call down() after.
 * `advertisedPorts`: the port each node tells clients to use (a proxy's), instead of its own.
 */
export async function privateKafka (brokers = 1, advertisedPorts: readonly number[] = []): Promise<Cluster> {
  const home = mkdtempSync(join(tmpdir(), 'kprod-kafka-'))
  const env = advertisedPorts.length === 0 ? {} : { KPROD_KAFKA_ADVERTISED_PORTS: advertisedPorts.join(',') }
  const out = await script(['up', '--brokers', String(brokers)], home, env)
  return makeCluster(lastLine(out), home)
}

/** The pid of node `index` of a private cluster (for SIGSTOP/SIGCONT), from its state folder. */
export function nodePid (cluster: Cluster, index: number): number {
  if (cluster.home === null) throw new Error('nodePid needs a private cluster')
  return Number(readFileSync(join(cluster.home, 'kafka-run', `node-${index}`, 'node.pid'), 'utf8').trim())
}

export interface ConsumedRecord {
  readonly partition: number
  readonly offset: string
  readonly key: Buffer | null
  readonly value: Buffer
}

/** The node id leading `partition` of `topic`, from kcat's metadata view. */
export async function leaderOf (bootstrap: string, topic: string, partition: number): Promise<number> {
  const { stdout } = await run('kcat', ['-L', '-J', '-b', bootstrap, '-t', topic])
  const meta = JSON.parse(stdout) as { topics: Array<{ topic: string, partitions: Array<{ partition: number, leader: number }> }> }
  const leader = meta.topics.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.leader
  if (leader === undefined || leader <= 0) throw new Error(`no leader for ${topic}/${partition}: ${stdout}`)
  return leader
}

/**
 * Waits, after a restart of the whole cluster, until what a reader sees of `topic` is final: every
 * partition has a leader and all its replicas in sync, and two reads `quietMs` apart see the same
 * records. A consumer reads only up to the high watermark, which a leader that has just come back
 * recovers from a checkpoint written every few seconds and raises once its followers fetch again:
 * read too early, acknowledged records look lost. Records truly lost stay lost, so this cannot hide
 * a loss; it fails only if the topic never settles within `timeoutMs`.
 */
export async function waitSettled (bootstrap: string, topic: string, timeoutMs = 120_000, quietMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let seen = -1
  for (;;) {
    const { stdout } = await run('kcat', ['-L', '-J', '-b', bootstrap, '-t', topic])
    const meta = JSON.parse(stdout) as { topics: Array<{ topic: string, partitions: Array<{ leader: number, replicas: unknown[], isrs: unknown[] }> }> }
    const partitions = meta.topics.find((t) => t.topic === topic)?.partitions ?? []
    const inSync = partitions.length > 0 && partitions.every((p) => p.leader > 0 && p.isrs.length === p.replicas.length)
    const count = inSync ? (await consumeAll(bootstrap, topic)).length : -1
    if (inSync && count === seen) return
    // Worth seeing when it happens: the records readable grew after the restart.
    if (seen >= 0 && count > seen) process.stderr.write(`waitSettled: ${topic}: ${seen} records readable, ${quietMs} ms later ${count}\n`)
    seen = count
    if (Date.now() > deadline) throw new Error(`${topic} did not settle within ${timeoutMs} ms: ${stdout}`)
    await new Promise((resolve) => setTimeout(resolve, quietMs))
  }
}

/**
 * Reads a whole topic with kcat (an independent C client). Records are framed by their sizes
 * (%K and %S), so any byte, LF included, survives.
 */
export async function consumeAll (bootstrap: string, topic: string): Promise<ConsumedRecord[]> {
  const child = spawn('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q',
    '-f', '%p %o %K %S\n%k%s\n'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => chunks.push(c))
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`kcat exited with ${code}: ${stderr}`)
  return parseFramed(Buffer.concat(chunks))
}

function parseFramed (data: Buffer): ConsumedRecord[] {
  const out: ConsumedRecord[] = []
  let at = 0
  while (at < data.length) {
    const nl = data.indexOf(10, at)
    const [p, o, k, s] = data.subarray(at, nl).toString('latin1').split(' ')
    const keyLen = Number(k)
    const valueLen = Number(s)
    let pos = nl + 1
    const key = keyLen < 0 ? null : data.subarray(pos, pos + keyLen)
    pos += Math.max(0, keyLen)
    const value = data.subarray(pos, pos + Math.max(0, valueLen))
    pos += Math.max(0, valueLen)
    out.push({ partition: Number(p), offset: o ?? '', key, value })
    at = pos + 1
  }
  return out
}

export interface SecureCluster extends Cluster {
  /** Bootstrap list per listener (PLAINTEXT, SSL, MTLS, NOSAN, SASL_PLAINTEXT, SASL_SSL, REAUTH) and the TLS files. */
  readonly listeners: Readonly<Record<string, string>>
}

/**
 * A private cluster from `scripts/local-kafka up --secure`: TLS and SASL listeners, users admin,
 * alice (Write on acl-* topics) and bob (no Write), passwords NAME-secret. Call down() after.
 */
export async function secureKafka (): Promise<SecureCluster> {
  const home = mkdtempSync(join(tmpdir(), 'kprod-kafka-secure-'))
  // More listeners, TLS and SCRAM make a slower start; on a loaded machine 60 s was not always enough.
  const out = await script(['up', '--secure'], home, { KPROD_KAFKA_TIMEOUT: process.env.KPROD_KAFKA_TIMEOUT ?? '170' })
  const listeners: Record<string, string> = {}
  for (const line of (await script(['listeners'], home)).trim().split('\n')) {
    const eq = line.indexOf('=')
    listeners[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return { ...makeCluster(lastLine(out), home), listeners }
}
