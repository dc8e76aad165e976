// JSON input against plain lines: the same records, keyed, sent by kprod (default client) once as
// `key<TAB>value` lines with --key-separator and once as {"key","value"} JSON lines with --format
// json, alternating, each run on a fresh topic and counted on the broker. The ratio is JSON's
// records/s over the plain lines' (issue 17's goal: >= 0.5).

import { closeSync, existsSync, openSync, statSync, writeFileSync } from 'node:fs'
import { median, round } from './stats.ts'
import { measure, type Measured } from './tools.ts'
import { kprodArgs, type Common } from './codecs.ts'

export interface JsonInputResult {
  readonly workload: string
  readonly tool: string
  readonly runs: number
  readonly recordsPerSec: number
  readonly cpuSecondsPerMillion: number
  readonly peakRssMb: number
  readonly verified: boolean
}

const FORMS = ['plain', 'json'] as const
type Form = typeof FORMS[number]

/** `records` keyed 100-byte values (1,000 distinct keys), in both forms. */
function ensureFiles (dir: string, records: number): Record<Form, string> {
  const files = { plain: `${dir}/json-input-${records}.tsv`, json: `${dir}/json-input-${records}.jsonl` }
  const filler = 'x'.repeat(90)
  if (!existsSync(files.json) || !existsSync(files.plain) || statSync(files.plain).size === 0) {
    const plain: string[] = []
    const json: string[] = []
    for (let i = 0; i < records; i++) {
      const key = `k${i % 1000}`
      const value = `${String(i).padStart(10, '0')}${filler}`
      plain.push(`${key}\t${value}\n`)
      json.push(`${JSON.stringify({ key, value })}\n`)
    }
    writeFileSync(files.plain, plain.join(''))
    writeFileSync(files.json, json.join(''))
  }
  return files
}

export async function jsonInputBench (o: Common & { readonly quick: boolean }): Promise<{ results: JsonInputResult[], ratios: Record<string, number | null> }> {
  const records = o.quick ? 200_000 : 1_000_000
  const files = ensureFiles(o.dataDir, records)
  const per = new Map<Form, Array<Measured & { ok: boolean }>>(FORMS.map((f) => [f, []]))
  for (let r = 0; r < o.runs; r++) {
    for (const form of r % 2 === 0 ? FORMS : [...FORMS].reverse()) {
      const topic = o.topicName(`json-input-${form}`, 'kprod')
      await o.broker.createTopic(topic, {})
      const fd = openSync(files[form], 'r')
      try {
        const args = form === 'json' ? ['--format', 'json'] : ['--key-separator', '\\t']
        const m = await measure(process.execPath, kprodArgs(o.broker.bootstrap, topic, args), { fd }, `${o.dataDir}/time-${process.pid}.txt`)
        const counted = await o.broker.count(topic)
        const ok = m.code === 0 && counted === records
        per.get(form)!.push({ ...m, ok })
        o.log(`bench: json-input ${form} run ${r + 1}/${o.runs}: ${(m.wallMs / 1000).toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s, rss ${m.maxRssMb.toFixed(0)} MB, ${counted}/${records}${ok ? '' : ' FAILED'}`)
      } finally {
        closeSync(fd)
        await o.broker.deleteTopic(topic)
      }
    }
  }
  const results = FORMS.map((form): JsonInputResult => {
    const ms = per.get(form)!
    return {
      workload: `json-input ${records} keyed x 100 B`,
      tool: form === 'json' ? 'kprod --format json' : 'kprod --key-separator (plain lines)',
      runs: ms.length,
      recordsPerSec: Math.round(records / (median(ms.map((m) => m.wallMs)) / 1000)),
      cpuSecondsPerMillion: round(median(ms.map((m) => m.cpuS)) / records * 1e6, 2),
      peakRssMb: round(Math.max(...ms.map((m) => m.maxRssMb)), 1),
      verified: ms.every((m) => m.ok)
    }
  })
  const [plain, json] = results as [JsonInputResult, JsonInputResult]
  return {
    results,
    ratios: {
      'json/plain records/s': round(json.recordsPerSec / plain.recordsPerSec, 3),
      'json/plain CPU per record': round(json.cpuSecondsPerMillion / plain.cpuSecondsPerMillion, 3)
    }
  }
}
