// What --checkpoint costs on a 1M-line import (W1: 1,000,000 lines x 100 B): kprod without it,
// kprod with it, and optionally another build of kprod with it (--baseline DIR, e.g. a copy of an
// earlier dist/ and bin/), run side by side on fresh 6-partition topics, alternating the order,
// medians of wall time, CPU and peak RSS, every run checked against the topic's record count.
// usage: node bench/checkpoint.ts --brokers HOST:PORT [--runs N] [--client wire|kafkajs] [--baseline DIR]

import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { median, round, table } from './stats.ts'
import { Broker, ROOT, command, hideKafkajsTimeoutWarning, measure, type Measured } from './tools.ts'
import { ensureFile, fileWorkloads } from './workloads.ts'

hideKafkajsTimeoutWarning()
const { values: opts } = parseArgs({
  options: {
    brokers: { type: 'string' },
    runs: { type: 'string', default: '5' },
    client: { type: 'string', default: 'wire' },
    baseline: { type: 'string', multiple: true }
  }
})
if (opts.brokers === undefined) throw new Error('bench/checkpoint.ts: --brokers HOST:PORT is needed (scripts/local-kafka bootstrap prints it)')
const runs = Number(opts.runs)
const dir = `${ROOT}/.local/bench`
mkdirSync(dir, { recursive: true })
const w1 = fileWorkloads(dir, false)[0]!
await ensureFile(w1)

interface Variant { readonly name: string, readonly entry: string, readonly checkpoint: boolean }
const variants: Variant[] = [
  { name: 'no --checkpoint', entry: `${ROOT}/bin/kprod.js`, checkpoint: false },
  { name: '--checkpoint', entry: `${ROOT}/bin/kprod.js`, checkpoint: true },
  ...(opts.baseline ?? []).map((b) => ({ name: `--checkpoint (${b})`, entry: `${b}/bin/kprod.js`, checkpoint: true }))
]
const broker = new Broker(opts.brokers)
await broker.connect()
const tmp = mkdtempSync(join(tmpdir(), 'kprod-bench-ckpt-'))
const results = new Map<string, Array<Measured & { checkpointBytes: number }>>(variants.map((v) => [v.name, []]))
try {
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length]!
      const topic = `bench-ckpt-${Date.now()}-${r}-${k}`
      await broker.createTopic(topic, {})
      const checkpoint = join(tmp, `${topic}.ckpt`)
      const { cmd, args } = command(opts.client === 'kafkajs' ? 'kprod-kafkajs' : 'kprod', { bootstrap: opts.brokers, topic, records: w1.records, size: w1.size, large: false }, [], v.entry)
      // The file by name for every variant (--checkpoint needs one), so all read it the same way.
      const m = await measure(cmd, [...args, ...(opts.client === 'wire' ? ['--batch-records', '4000'] : []), ...(v.checkpoint ? ['--checkpoint', checkpoint] : []), w1.file], null, join(tmp, 'time'))
      const count = await broker.count(topic)
      await broker.deleteTopic(topic)
      if (m.code !== 0 || count !== w1.records) throw new Error(`${v.name}: exit ${m.code}, ${count} of ${w1.records} records on the topic: ${m.stderrTail}`)
      results.get(v.name)!.push({ ...m, checkpointBytes: v.checkpoint ? statSync(checkpoint).size : 0 })
      process.stderr.write(`run ${r + 1}/${runs} ${v.name}: ${round(m.wallMs / 1000)} s, CPU ${round(m.cpuS)} s\n`)
    }
  }
} finally {
  await broker.disconnect()
  rmSync(tmp, { recursive: true, force: true })
}
const base = median(results.get(variants[0]!.name)!.map((m) => m.wallMs))
const rows = variants.map((v) => {
  const ms = results.get(v.name)!
  const wall = median(ms.map((m) => m.wallMs))
  return [v.name, round(w1.records / (wall / 1000), 0), round(wall / 1000), round(base / wall, 3), round(median(ms.map((m) => m.cpuS))), round(Math.max(...ms.map((m) => m.maxRssMb)), 1), `${ms.length}/${runs}`]
})
process.stderr.write(table(['variant', 'records/s', 'wall s (median)', 'rate / no --checkpoint', 'CPU s (median)', 'peak RSS MB', 'verified'], rows) + '\n')
process.stdout.write(JSON.stringify({ client: opts.client, runs, rows }) + '\n')
