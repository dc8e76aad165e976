// Summarises a V8 .cpuprofile (from node --cpu-prof): self time per function and per pipeline
// stage, the stage being read from the frame's file path (src/input → input, kafkajs → kafkajs ...).

import { readFileSync } from 'node:fs'

interface ProfileNode { id: number, hitCount?: number, children?: number[], callFrame: { functionName: string, url: string, lineNumber: number } }
interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number }

/** Self-time shares of one profile. */
export interface ProfileSummary {
  readonly totalMs: number
  readonly stages: Array<{ stage: string, pct: number }>
  /** Self time charged to the nearest kprod or kafkajs caller (node core, builtins and GC-free natives included). */
  readonly owners: Array<{ stage: string, pct: number }>
  readonly top: Array<{ frame: string, stage: string, pct: number }>
}

const STAGES: ReadonlyArray<[RegExp, string]> = [
  [/node_modules\/kafkajs\//, 'kafkajs'],
  [/\/src\/input\//, 'input (splitter, parser)'],
  [/\/src\/batch\//, 'batch builder'],
  [/\/src\/producer\//, 'async producer'],
  [/\/src\/transports\/kafka\/wire\//, 'kafka wire client (kprod)'],
  [/\/src\/transports\//, 'transport (kprod side)'],
  [/\/src\/report\//, 'report (JSON output)'],
  [/\/src\//, 'kprod other'],
  [/^node:/, 'node core (streams, net, buffers)']
]

function stageOf (n: ProfileNode): string {
  const { url, functionName } = n.callFrame
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collector'
    if (functionName === '(idle)') return 'idle (waiting on I/O)'
    if (functionName === '(program)') return 'V8/program (native)'
    return 'native builtins'
  }
  for (const [re, stage] of STAGES) if (re.test(url)) return stage
  return 'other'
}

export function summariseProfile (file: string, topN = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const total = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1
  const byStage = new Map<string, number>()
  const byFrame = new Map<string, { stage: string, hits: number }>()
  const byOwner = new Map<string, number>()
  const owner = ownersOf(p.nodes)
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0
    if (hits === 0) continue
    const stage = stageOf(n)
    byStage.set(stage, (byStage.get(stage) ?? 0) + hits)
    const o = owner.get(n.id) ?? stage
    byOwner.set(o, (byOwner.get(o) ?? 0) + hits)
    const short = n.callFrame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\/src\//, 'src/')
    const frame = `${n.callFrame.functionName || '(anonymous)'} ${short}${short ? ':' + (n.callFrame.lineNumber + 1) : ''}`
    const f = byFrame.get(frame) ?? { stage, hits: 0 }
    f.hits += hits
    byFrame.set(frame, f)
  }
  const pct = (h: number): number => Math.round((h / total) * 1000) / 10
  return {
    totalMs: Math.round((p.endTime - p.startTime) / 1000),
    stages: [...byStage].sort((a, b) => b[1] - a[1]).map(([stage, h]) => ({ stage, pct: pct(h) })),
    owners: [...byOwner].sort((a, b) => b[1] - a[1]).map(([stage, h]) => ({ stage, pct: pct(h) })),
    top: [...byFrame].sort((a, b) => b[1].hits - a[1].hits).slice(0, topN).map(([frame, f]) => ({ frame, stage: f.stage, pct: pct(f.hits) }))
  }
}

const OWNED = new Set(['node core (streams, net, buffers)', 'native builtins', 'other'])

// Walks the call tree from the root: a node-core or builtin frame belongs to its nearest caller
// that is kprod or kafkajs code, so Buffer copies show up under the stage that asked for them.
function ownersOf (nodes: readonly ProfileNode[]): Map<number, string> {
  const byId = new Map(nodes.map(n => [n.id, n]))
  const owner = new Map<number, string>()
  const childIds = new Set(nodes.flatMap(n => n.children ?? []))
  const stack: Array<[number, string | null]> = nodes.filter(n => !childIds.has(n.id)).map(n => [n.id, null])
  while (stack.length > 0) {
    const [id, inherited] = stack.pop()!
    const n = byId.get(id)
    if (n === undefined) continue
    const stage = stageOf(n)
    const mine = OWNED.has(stage) ? (inherited ?? stage) : stage
    owner.set(id, mine)
    for (const c of n.children ?? []) stack.push([c, OWNED.has(stage) ? inherited : stage])
  }
  return owner
}
