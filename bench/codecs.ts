// The codec piece of the bench: W2 (10 KiB lines) with each codec, kprod (default client) with
// --compression C against `kcat -z C`, alternating which goes first, each run on a fresh topic
// and counted on the broker.

import { round } from './stats.ts'
import { KPROD_NODE_FLAGS, ROOT, measure, summariseRuns, warmUp, type BenchResult, type Broker, type Measured } from './tools.ts'
import type { FileWorkload } from './workloads.ts'
import { closeSync, openSync } from 'node:fs'

export interface Common {
  readonly broker: Broker
  readonly dataDir: string
  readonly runs: number
  readonly log: (line: string) => void
  readonly topicName: (workload: string, tool: string) => string
}

export const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const
type Codec = typeof CODECS[number]

export function kprodArgs (bootstrap: string, topic: string, extra: readonly string[]): string[] {
  return [...KPROD_NODE_FLAGS, `${ROOT}/bin/kprod.js`, '--topic', topic, '--brokers', bootstrap, '--acks', 'all',
    '--no-batch-lines', '--stats-interval', '0', '--no-progress', ...extra]
}

export function kcatArgs (bootstrap: string, topic: string, extra: readonly string[]): string[] {
  return ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', ...extra]
}

/** W2 with each codec: kprod --compression C against kcat -z C. */
export async function codecBench (o: Common & { readonly w2: FileWorkload }): Promise<{ results: BenchResult[], ratios: Record<string, number | null> }> {
  const results: BenchResult[] = []
  const ratios: Record<string, number | null> = {}
  const tools = ['kprod', 'kcat'] as const
  // One uncounted run of each tool first (tools.ts warmUp), on the first codec (gzip) only: one
  // per codec would be 8 runs of the whole W2, ~25 s in full mode on a quiet machine (README:
  // snappy, lz4 and zstd 1.2-2.9 s a run, gzip two to three times that), where gzip's pair alone
  // is ~10-15 s. The broker's produce path is then warm for every codec; its handling of each
  // later codec's batches (decompressing them to validate) is not.
  await warmUp(tools, `${o.w2.name} ${CODECS[0]}`, (tool) => codecRun(o, o.w2, CODECS[0], tool), o.log)
  for (const codec of CODECS) {
    const per = new Map<string, Array<Measured & { counted: number, ok: boolean }>>(tools.map((t) => [t, []]))
    for (let r = 0; r < o.runs; r++) {
      for (const tool of r % 2 === 0 ? tools : [...tools].reverse()) {
        const m = await codecRun(o, o.w2, codec, tool)
        per.get(tool)!.push(m)
        o.log(`bench: ${o.w2.name} ${codec} run ${r + 1}/${o.runs} ${tool}: ${(m.wallMs / 1000).toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s, rss ${m.maxRssMb.toFixed(0)} MB, ${m.counted}/${o.w2.records}${m.ok ? '' : ' FAILED'}`)
      }
    }
    const k = summariseRuns(`${o.w2.name}-${codec}`, 'kprod', o.w2.records, o.w2.size, per.get('kprod')!, (m) => m.counted)
    const c = summariseRuns(`${o.w2.name}-${codec}`, `kcat -z ${codec}`, o.w2.records, o.w2.size, per.get('kcat')!, (m) => m.counted)
    results.push(k, c)
    ratios[`${o.w2.name}-${codec} kprod/kcat`] = c.recordsPerSec === 0 ? null : round(k.recordsPerSec / c.recordsPerSec, 3)
  }
  return { results, ratios }
}

async function codecRun (o: Common, w: FileWorkload, codec: Codec, tool: 'kprod' | 'kcat'): Promise<Measured & { counted: number, ok: boolean }> {
  const topic = o.topicName(`${w.name}-${codec}`, tool)
  await o.broker.createTopic(topic, {})
  const fd = openSync(w.file, 'r')
  try {
    const m = tool === 'kprod'
      ? await measure(process.execPath, kprodArgs(o.broker.bootstrap, topic, ['--compression', codec]), { fd }, `${o.dataDir}/time-${process.pid}.txt`)
      : await measure('kcat', kcatArgs(o.broker.bootstrap, topic, ['-z', codec]), { fd }, `${o.dataDir}/time-${process.pid}.txt`)
    const counted = await o.broker.count(topic)
    const ok = m.code === 0 && counted === w.records
    if (!ok) o.log(`bench: ${w.name} ${codec} ${tool}: exit ${m.code}, ${counted}/${w.records}\n${m.stderrTail.slice(-1500)}`)
    return { ...m, counted, ok }
  } finally {
    closeSync(fd)
    await o.broker.deleteTopic(topic)
  }
}
