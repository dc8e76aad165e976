// Start-up cost of kprod builds side by side (issue 13, one line per process): interleaved rounds
// of `echo line | kprod -t T -b B` for each build given, `kprod --version` (Node plus loading the
// bundle), `node -e 0` and `echo line | kcat -P`, in an order that rotates every round. CPU time is
// the children's user + system time that bash's `times` prints (millisecond resolution, from
// getrusage(RUSAGE_CHILDREN)), which a shared machine disturbs far less than wall time.
//
// usage: node bench/startup-rounds.ts --brokers B --topic T [--rounds 20] [--no-version] [--no-kcat] NAME=DIR ...
//   each DIR holds a built kprod (DIR/bin/kprod.js and DIR/dist/kprod); NAME labels it.
// The lines sent are not counted here: `npm run bench -- --only one-line` does that.

import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { median, round, table } from './stats.ts'
import { KPROD_NODE_FLAGS } from './tools.ts'

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    brokers: { type: 'string' },
    topic: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    'no-version': { type: 'boolean', default: false },
    'no-kcat': { type: 'boolean', default: false }
  }
})
if (opts.brokers === undefined || opts.topic === undefined || positionals.length === 0) {
  throw new Error('usage: node bench/startup-rounds.ts --brokers B --topic T [--rounds N] [--no-version] [--no-kcat] NAME=DIR ...')
}
const rounds = Number(opts.rounds)
const brokers = opts.brokers
const topic = opts.topic

interface Variant { readonly name: string, readonly cmd: readonly string[], readonly line: boolean }

const variants: Variant[] = [{ name: 'node -e 0', cmd: [process.execPath, '-e', '0'], line: false }]
if (!opts['no-kcat']) variants.push({ name: 'kcat', cmd: ['kcat', '-P', '-b', brokers, '-t', topic, '-X', 'acks=all'], line: true })
for (const spec of positionals) {
  const at = spec.indexOf('=')
  if (at < 1) throw new Error(`expected NAME=DIR, got '${spec}'`)
  const [name, dir] = [spec.slice(0, at), spec.slice(at + 1)]
  const bin = [process.execPath, ...KPROD_NODE_FLAGS, `${dir}/bin/kprod.js`]
  variants.push({ name: `${name} one line`, cmd: [...bin, '-t', topic, '-b', brokers], line: true })
  if (!opts['no-version']) variants.push({ name: `${name} --version`, cmd: [...bin, '--version'], line: false })
}

interface Sample { readonly wallMs: number, readonly cpuMs: number }

/** One run under bash, whose `times` then reports the child's CPU; stdin gets one line or nothing. */
function once (v: Variant, round: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn('bash', ['-c', '"$@" >/dev/null 2>/tmp/startup-rounds-$$.err || { echo "exit $?" >&2; cat /tmp/startup-rounds-$$.err >&2; }; rm -f /tmp/startup-rounds-$$.err; times', 'bash', ...v.cmd], { stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    child.stdin.on('error', () => {})
    child.stdin.end(v.line ? `one line from ${v.name} round ${round}\n` : '')
    child.on('error', reject)
    child.on('close', () => {
      const wallMs = performance.now() - t0
      // The second line of `times` is the children's user and system time: "0m0.043s 0m0.010s".
      const children = out.trim().split('\n').at(-1) ?? ''
      const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]))
      if (secs.length !== 2) return reject(new Error(`cannot read the times of ${v.name}: ${out}`))
      resolve({ wallMs, cpuMs: (secs[0]! + secs[1]!) * 1000 })
    })
  })
}

const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]))
for (let r = 0; r < rounds; r++) {
  const order = [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)]
  for (const v of order) samples.get(v.name)!.push(await once(v, r))
}
const rows = variants.map((v) => {
  const s = samples.get(v.name)!
  return [v.name, s.length, round(median(s.map((x) => x.wallMs)), 1), round(median(s.map((x) => x.cpuMs)), 1)]
})
process.stdout.write(table(['variant', 'runs', 'median wall ms', 'median CPU ms'], rows) + '\n')
