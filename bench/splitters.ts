// The splitters alone: LineSplitter (or DelimiterSplitter with a delimiter) over a file's bytes
// cut into in-memory chunks, five passes after two warm-up passes, with a handler that only
// counts. Small chunks make the carry-over of records split across chunks a large share of the
// work. Prints one JSON line: records and user + system CPU ms of the five passes.
// usage: node bench/splitters.ts FILE [CHUNK_BYTES=4096] [DELIMITER_HEX|-] [SRC_DIR=this tree's src]
//   SRC_DIR: another tree's src/ (e.g. an export of an older commit), to compare two versions.

import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const [file, chunkArg, delimArg, srcArg] = process.argv.slice(2)
if (file === undefined) {
  console.error('usage: node bench/splitters.ts FILE [CHUNK_BYTES] [DELIMITER_HEX|-] [SRC_DIR]')
  process.exit(2)
}
const size = Number(chunkArg ?? 4096)
const delimiter = delimArg === undefined || delimArg === '-' ? null : Buffer.from(delimArg, 'hex')
const src = resolve(srcArg ?? `${import.meta.dirname}/../src`)
const data = readFileSync(file)
const chunks: Buffer[] = []
for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, Math.min(i + size, data.length)))

interface Splitter { push (chunk: Buffer): void, end (): void }
const { LineSplitter } = await import(`${src}/input/line-splitter.ts`)
const { DelimiterSplitter } = await import(`${src}/input/delimiter-splitter.ts`)
let records = 0
const handler = { line () { records++ }, overlong () { records++ } }
const make = (): Splitter => delimiter === null ? new LineSplitter(1 << 20, handler) : new DelimiterSplitter(delimiter, 1 << 20, handler)
const pass = (): void => {
  const s = make()
  for (const c of chunks) s.push(c)
  s.end()
}
pass()
pass()
records = 0
const before = process.cpuUsage()
for (let k = 0; k < 5; k++) pass()
const used = process.cpuUsage(before)
console.log(JSON.stringify({ records, chunkBytes: size, delimiter: delimiter?.toString('hex') ?? null, cpuMs: Math.round((used.user + used.system) / 1000) }))
