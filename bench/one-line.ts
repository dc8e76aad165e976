// The one-line piece of the bench: a single line sent by a fresh process (the CI-script case),
// kprod (default client) against kcat, many alternating runs on one topic, compared by median
// wall time: what it measures is start-up and shut-down. Every line is counted on the broker.
// `node -e 0` runs in the same rounds: the floor any Node program starts from.

import type { Writable } from 'node:stream'
import { median, round } from './stats.ts'
import { measure, type Measured } from './tools.ts'
import { kcatArgs, kprodArgs, type Common } from './codecs.ts'

export interface OneLineResult {
  readonly workload: 'one-line'
  readonly tool: string
  readonly runs: number
  readonly medianWallMs: number
  readonly p90WallMs: number
  readonly medianCpuMs: number
  readonly peakRssMb: number
  readonly verified: boolean
}

/** One line per process, `runs` times per tool, rotating the order; every line counted on the broker at the end. */
export async function oneLineBench (o: Common): Promise<{ results: OneLineResult[], ratios: Record<string, number | null> }> {
  const topic = o.topicName('one-line', 'all')
  await o.broker.createTopic(topic, {})
  const tools = ['kprod', 'kcat', 'node -e 0'] as const
  const per = new Map<string, Measured[]>(tools.map((t) => [t, []]))
  try {
    for (let r = 0; r < o.runs; r++) {
      for (const tool of [...tools.slice(r % tools.length), ...tools.slice(0, r % tools.length)]) {
        const line = { write: async (w: Writable) => { w.end(`one line from ${tool} run ${r}\n`) } }
        const [cmd, args] = tool === 'kprod'
          ? [process.execPath, kprodArgs(o.broker.bootstrap, topic, [])]
          : tool === 'kcat' ? ['kcat', kcatArgs(o.broker.bootstrap, topic, [])] : [process.execPath, ['-e', '0']]
        const m = await measure(cmd, args, line, `${o.dataDir}/time-${process.pid}.txt`)
        if (m.code !== 0) o.log(`bench: one-line ${tool}: exit ${m.code}\n${m.stderrTail.slice(-1500)}`)
        per.get(tool)!.push(m)
      }
    }
    const counted = await o.broker.count(topic)
    const verified = counted === 2 * o.runs && [...per.values()].every((ms) => ms.every((m) => m.code === 0))
    const results = tools.map((tool): OneLineResult => {
      const ms = per.get(tool)!
      const walls = ms.map((m) => m.wallMs).sort((a, b) => a - b)
      return {
        workload: 'one-line',
        tool,
        runs: ms.length,
        medianWallMs: round(median(walls), 1),
        p90WallMs: round(walls[Math.min(walls.length - 1, Math.floor(walls.length * 0.9))] ?? Number.NaN, 1),
        medianCpuMs: round(median(ms.map((m) => m.cpuS * 1000)), 1),
        peakRssMb: round(Math.max(...ms.map((m) => m.maxRssMb)), 1),
        verified
      }
    })
    const [k, c, n] = results
    o.log(`bench: one line per process, ${o.runs} runs each: kprod median ${k?.medianWallMs} ms, kcat ${c?.medianWallMs} ms, node -e 0 ${n?.medianWallMs} ms${verified ? '' : ' FAILED'}`)
    const ratio = (a: OneLineResult | undefined, b: OneLineResult | undefined): number | null => a === undefined || b === undefined ? null : round(a.medianWallMs / b.medianWallMs, 2)
    return { results, ratios: { 'one-line kprod/kcat wall': ratio(k, c), 'one-line node -e 0/kcat wall': ratio(n, c) } }
  } finally {
    await o.broker.deleteTopic(topic)
  }
}
