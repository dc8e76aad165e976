// The Dockerfile builds and its image works, proven without a Docker engine: its steps are
// replayed in a temporary directory (test/helpers/dockerfile.ts), then the image's entrypoint is
// run there, as an unprivileged user when the test runs as root, with --version and --help, and
// with records on stdin into a real Kafka topic, as `docker run -i` would feed it.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { readDockerfile, replayDockerfile, type Stage } from '../helpers/dockerfile.ts'

let kafka: Cluster
let image: Stage
let work: string

before(async () => {
  kafka = await sharedKafka()
  work = mkdtempSync(join(tmpdir(), 'kprod-docker-'))
  const stages = replayDockerfile(readDockerfile(ROOT), ROOT, work)
  image = stages.at(-1)!
  // mkdtemp makes the folder private; the unprivileged user below must be able to enter it.
  chmodSync(work, 0o755)
})

test.after(() => { if (work !== undefined) rmSync(work, { recursive: true, force: true }) })

interface Run { code: number | null, stdout: string, stderr: string }

/** Runs the image's ENTRYPOINT with `args`, in its WORKDIR, as `docker run -i IMAGE args` would. */
function dockerRun (args: readonly string[], stdin = ''): Promise<Run> {
  const [command, ...rest] = image.entrypoint!
  assert.equal(command, 'node', 'the entrypoint runs node')
  // Not root: an unprivileged uid, as USER in the image; the files are read-only to it.
  const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : []
  const argv = [...asUser, process.execPath, ...rest, ...args]
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: join(image.root, image.workdir),
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...image.env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  child.stdin.end(stdin)
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

test('the Dockerfile has a build stage and a runtime stage on a Node >= 22 image, a non-root USER and an exec-form ENTRYPOINT', () => {
  const instructions = readDockerfile(ROOT)
  const froms = instructions.filter((i) => i.op === 'FROM')
  assert.ok(froms.length >= 2, 'multi-stage')
  for (const from of froms) assert.ok(Number(/^node:(\d+)/.exec(from.args)?.[1] ?? 0) >= 22, from.args)
  assert.ok(image.user !== null && image.user !== 'root' && image.user !== '0', `USER ${image.user}`)
  assert.ok(Array.isArray(image.entrypoint), 'ENTRYPOINT in exec form (a JSON array), so signals reach node')
})

test('the runtime stage holds production dependencies only, and the built CLI', () => {
  const app = join(image.root, image.workdir)
  // The lock file marks each package needed only for development with "dev": true.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
  const packages = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'))
  const devOnly = packages.filter(([, p]) => p.dev === true).map(([path]) => path)
  assert.ok(devOnly.includes('node_modules/typescript'))
  assert.deepEqual(devOnly.filter((path) => existsSync(join(app, path))), [], 'development-only packages in the image')
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  for (const dep of Object.keys(pkg.dependencies)) assert.ok(existsSync(join(app, 'node_modules', dep)), `dependency ${dep} is in the image`)
  assert.ok(existsSync(join(app, 'dist/kprod/main.cjs')))
  assert.ok(!existsSync(join(app, 'src')), 'no sources in the image')
})

test('docker run IMAGE --version prints the version and the Node', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const run = await dockerRun(['--version'])
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.stdout, `kprod ${version} (Node ${process.version})\n`)
})

test('docker run IMAGE --help prints the usage, exit 0', async () => {
  const run = await dockerRun(['--help'])
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /^Usage: kprod /)
  assert.match(run.stdout, /--stream/)
})

test('docker run -i IMAGE --topic T reads stdin and delivers every line to a real broker', async () => {
  const topic = await kafka.topic({ partitions: 2 })
  const run = await dockerRun(['--brokers', kafka.bootstrap, '--topic', topic, '-q'], 'one\ntwo\nthree\n')
  assert.equal(run.code, 0, run.stderr)
  const summary = JSON.parse(run.stdout) as { counts: { read: number, delivered: number } }
  assert.deepEqual([summary.counts.read, summary.counts.delivered], [3, 3])
  const values = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString()).sort()
  assert.deepEqual(values, ['one', 'three', 'two'])
})
