// W1 (1,000,000 lines x 100 B) or W2 (100,000 lines x 10 KiB), optionally with a codec, with two
// or more builds of kprod side by side, and kcat with the same settings when asked: fresh
// 6-partition topics, the order rotating every round, each run checked against the topic's record
// count; medians of wall time and CPU (getrusage via /usr/bin/time), every run's CPU.
// A build is a folder with bin/ and dist/ (e.g. a copy of them from another commit, built there,
// inside this checkout so that the bundle finds node_modules).
// usage: node bench/builds.ts --brokers HOST:PORT [--runs N] [--client wire|kafkajs]
//          [--workload W1|W2] [--compression none|gzip|snappy|lz4|zstd] [--kcat] NAME=DIR ...

import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { median, round, table } from './stats.ts'
import { Broker, ROOT, command, hideKafkajsTimeoutWarning, measure, type Measured } from './tools.ts'
import { ensureFile, fileWorkloads } from './workloads.ts'

hideKafkajsTimeoutWarning()
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    brokers: { type: 'string' },
    runs: { type: 'string', default: '5' },
    client: { type: 'string', default: 'wire' },
    workload: { type: 'string', default: 'W1' },
    compression: { type: 'string', default: 'none' },
    kcat: { type: 'boolean', default: false }
  }
})
if (opts.brokers === undefined || positionals.length === 0) throw new Error('bench/builds.ts: --brokers HOST:PORT (scripts/local-kafka bootstrap prints it) and at least one NAME=DIR are needed')
const workload = fileWorkloads(`${ROOT}/.local/bench`, false).find((w) => w.name === opts.workload?.toUpperCase())
if (workload === undefined || workload.name === 'W4') throw new Error(`bench/builds.ts: --workload ${opts.workload}: W1 or W2 is allowed`)
if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(opts.compression)) throw new Error(`bench/builds.ts: --compression ${opts.compression}: none, gzip, snappy, lz4 or zstd is allowed`)
await ensureFile(workload)
// W1 runs as it always has here (--batch-records 4000 with the wire client, the setting of the
// experiments this script was written for); W2 and any codec with kprod's defaults.
const w1Extra = workload.name === 'W1' && opts.client === 'wire' ? ['--batch-records', '4000'] : []
const variants: Array<{ name: string, entry: string | null }> = positionals.map((p) => { const [name, dir] = p.split('='); return { name: name!, entry: `${dir}/bin/kprod.js` } })
if (opts.kcat) variants.push({ name: 'kcat', entry: null })
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
      const spec = { bootstrap: opts.brokers, topic, records: workload.records, size: workload.size, large: false }
      const { cmd, args } = v.entry === null
        ? command('kcat', spec)
        : command(opts.client === 'kafkajs' ? 'kprod-kafkajs' : 'kprod', spec, [], v.entry)
      const codecArgs = v.entry === null ? ['-X', `compression.codec=${opts.compression}`] : ['--compression', opts.compression, ...w1Extra]
      const fd = openSync(workload.file, 'r')
      let m: Measured
      try {
        m = await measure(cmd, [...args, ...codecArgs], { fd }, join(tmp, 'time'))
      } finally {
        closeSync(fd)
      }
      const count = await broker.count(topic)
      await broker.deleteTopic(topic)
      if (m.code !== 0 || count !== workload.records) throw new Error(`${v.name}: exit ${m.code}, ${count} of ${workload.records}: ${m.stderrTail}`)
      results.get(v.name)!.push(m)
      process.stderr.write(`run ${r + 1}/${runs} ${v.name}: ${round(m.wallMs / 1000)} s, CPU ${round(m.cpuS)} s, RSS ${round(m.maxRssMb, 1)} MB\n`)
    }
  }
} finally {
  await broker.disconnect()
  rmSync(tmp, { recursive: true, force: true })
}
process.stderr.write(`${workload.name}, --compression ${opts.compression}, ${runs} rounds\n`)
const rows = variants.map((v) => {
  const ms = results.get(v.name)!
  const wall = median(ms.map((m) => m.wallMs))
  return [v.name, round(workload.records / (wall / 1000), 0), round(wall / 1000), round(median(ms.map((m) => m.cpuS))), ms.map((m) => round(m.cpuS)).join(' '), round(Math.max(...ms.map((m) => m.maxRssMb)), 1)]
})
process.stderr.write(table(['build', 'records/s (median wall)', 'wall s', 'CPU s (median)', 'CPU s each run', 'peak RSS MB'], rows) + '\n')
