// W1 (1,000,000 lines x 100 B, the file given by name) with two or more builds of kprod side by
// side: fresh 6-partition topics, the order alternating per run, each run checked against the
// topic's record count; medians of wall time and CPU (getrusage via /usr/bin/time), every run's CPU.
// A build is a folder with bin/ and dist/ (e.g. a copy of them from another commit, built there).
// usage: node bench/builds.ts --brokers HOST:PORT [--runs N] [--client wire|kafkajs] NAME=DIR ...

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { median, round, table } from './stats.ts'
import { Broker, ROOT, command, hideKafkajsTimeoutWarning, measure, type Measured } from './tools.ts'
import { ensureFile, fileWorkloads } from './workloads.ts'

hideKafkajsTimeoutWarning()
const { values: opts, positionals } = parseArgs({ allowPositionals: true, options: { brokers: { type: 'string' }, runs: { type: 'string', default: '5' }, client: { type: 'string', default: 'wire' } } })
if (opts.brokers === undefined || positionals.length === 0) throw new Error('bench/builds.ts: --brokers HOST:PORT (scripts/local-kafka bootstrap prints it) and at least one NAME=DIR are needed')
const w1 = fileWorkloads(`${ROOT}/.local/bench`, false)[0]!
await ensureFile(w1)
const variants = positionals.map((p) => { const [name, dir] = p.split('='); return { name: name!, entry: `${dir}/bin/kprod.js` } })
const broker = new Broker(opts.brokers)
await broker.connect()
const tmp = mkdtempSync(join(tmpdir(), 'kprod-ab-'))
const results = new Map<string, Measured[]>(variants.map((v) => [v.name, []]))
const runs = Number(opts.runs)
try {
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length]!
      const topic = `ab-${Date.now()}-${r}-${k}`
      await broker.createTopic(topic, {})
      const { cmd, args } = command(opts.client === 'kafkajs' ? 'kprod-kafkajs' : 'kprod', { bootstrap: opts.brokers, topic, records: w1.records, size: w1.size, large: false }, [], v.entry)
      const m = await measure(cmd, [...args, ...(opts.client === 'wire' ? ['--batch-records', '4000'] : []), w1.file], null, join(tmp, 'time'))
      const count = await broker.count(topic)
      await broker.deleteTopic(topic)
      if (m.code !== 0 || count !== w1.records) throw new Error(`${v.name}: exit ${m.code}, ${count} of ${w1.records}: ${m.stderrTail}`)
      results.get(v.name)!.push(m)
      process.stderr.write(`run ${r + 1}/${runs} ${v.name}: ${round(m.wallMs / 1000)} s, CPU ${round(m.cpuS)} s, RSS ${round(m.maxRssMb, 1)} MB\n`)
    }
  }
} finally {
  await broker.disconnect()
  rmSync(tmp, { recursive: true, force: true })
}
const rows = variants.map((v) => {
  const ms = results.get(v.name)!
  const wall = median(ms.map((m) => m.wallMs))
  return [v.name, round(w1.records / (wall / 1000), 0), round(wall / 1000), round(median(ms.map((m) => m.cpuS))), ms.map((m) => round(m.cpuS)).join(' '), round(Math.max(...ms.map((m) => m.maxRssMb)), 1)]
})
process.stderr.write(table(['build', 'records/s (median wall)', 'wall s', 'CPU s (median)', 'CPU s each run', 'peak RSS MB'], rows) + '\n')
