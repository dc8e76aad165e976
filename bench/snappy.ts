// The two snappy encoders of the wire client side by side on 1 MiB sections (the default
// --batch-bytes) of four kinds of input: W2 and W1 (bench/workloads.ts), JSON log lines, and
// random bytes. For each: the output as a share of the input and the encoder's speed (median of
// --passes over all sections after one pass that is not counted; one core), for the snappy
// package's encoder, kprod's own, and the picking encoder the wire client uses
// (src/transports/kafka/wire/snappy.ts). Every encoder's output of the first sections is decoded
// by the snappy package and compared first.
// usage: node bench/snappy.ts [--passes N] [--mb N]   (N MB of each input; default 100)

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { pickingEncoder, snappyCompress } from '../src/transports/kafka/wire/snappy.ts'
import { median, round, table } from './stats.ts'
import { ROOT } from './tools.ts'
import { ensureFile, fileWorkloads } from './workloads.ts'

const { values: opts } = parseArgs({ options: { passes: { type: 'string', default: '5' }, mb: { type: 'string', default: '100' } } })
const passes = Number(opts.passes)
const bytes = Number(opts.mb) * 1e6
const SECTION = 1024 * 1024

const require = createRequire(import.meta.url)
const snappy = require('snappy') as { compressSync: (b: Buffer, o: { copyOutputData: boolean }) => Buffer, uncompressSync: (b: Buffer) => Buffer }
const native = (data: Buffer): Buffer => snappy.compressSync(data, { copyOutputData: true })

/** JSON log lines whose repeats are near each other (field names, paths, agents). */
function jsonLogs (size: number): Buffer {
  const paths = ['/api/v1/users/', '/api/v1/orders/', '/static/app.js?v=', '/health?probe=', '/api/v2/search?q=']
  const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Go-http-client/2.0']
  let x = 7
  const next = (): number => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x }
  const lines: string[] = []
  for (let i = 0, total = 0; total < size; i++) {
    const line = JSON.stringify({
      ts: new Date(1_700_000_000_000 + i * 37).toISOString(),
      level: next() % 10 === 0 ? 'warn' : 'info',
      ip: `10.${next() % 256}.${next() % 256}.${next() % 256}`,
      method: 'GET',
      path: paths[next() % paths.length]! + String(next() % 1000),
      status: [200, 200, 200, 404, 500][next() % 5],
      bytes: next() % 100_000,
      ua: agents[next() % agents.length],
      trace: next().toString(16) + next().toString(16),
      msg: 'request completed'
    })
    lines.push(line)
    total += line.length + 1
  }
  return Buffer.from(lines.join('\n') + '\n')
}

function sections (data: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < data.length; at += SECTION) out.push(Buffer.from(data.subarray(at, Math.min(at + SECTION, data.length))))
  return out
}

const inputs: Array<[string, Buffer]> = []
for (const w of fileWorkloads(`${ROOT}/.local/bench`, false).filter((f) => f.name === 'W2' || f.name === 'W1')) {
  await ensureFile(w)
  inputs.push([`${w.name} (${w.size} B lines)`, readFileSync(w.file).subarray(0, bytes)])
}
inputs.push(['JSON log lines (~230 B)', jsonLogs(bytes)], ['random bytes', randomBytes(bytes)])

const rows: string[][] = []
for (const [name, data] of inputs) {
  const secs = sections(data)
  const encoders: Array<[string, () => (b: Buffer) => Buffer]> = [
    ['snappy package (snap)', () => native],
    ['kprod\'s own (snappy.ts)', () => snappyCompress],
    ['picking (the wire client)', () => pickingEncoder(native)]
  ]
  for (const [encoder, make] of encoders) {
    const check = make()
    for (const s of secs.slice(0, 3)) if (!snappy.uncompressSync(check(s)).equals(s)) throw new Error(`bench/snappy.ts: ${encoder} on ${name}: decoded bytes differ`)
    const times: number[] = []
    let out = 0
    for (let p = -1; p < passes; p++) { // pass -1 warms up and is not counted
      const encode = make()
      out = 0
      const start = process.hrtime.bigint()
      for (const s of secs) out += encode(s).length
      if (p >= 0) times.push(Number(process.hrtime.bigint() - start) / 1e9)
    }
    rows.push([name, encoder, `${round(data.length / 1e6, 0)}`, `${round(100 * out / data.length, 1)} %`, `${round(data.length / 1e6 / median(times), 0)}`])
    process.stderr.write('.')
  }
}
process.stderr.write('\n')
console.log(table(['input', 'encoder', 'MB in', 'out / in', `MB/s (median of ${passes})`], rows))
