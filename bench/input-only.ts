// The input stage alone: src/input/read-input.ts on a file with a no-op sink, so the figure is the
// splitter + parser ceiling (no batching, producer or output). Prints one JSON line on stdout.
// usage: node bench/input-only.ts FILE [lines|json] [DELIMITER_HEX]
//   json: --format json, the JSON-record parser; DELIMITER_HEX: -D as hex bytes (0a, 00, 0a2d2d0a),
//   which splits with DelimiterSplitter instead of the LF splitter. cpuMs is user + system CPU
//   time of this process (getrusage), which a loaded machine inflates less than wall time.

import { readInput, type InputSink } from '../src/input/read-input.ts'
import { realClock } from '../src/util/clock.ts'

const file = process.argv[2]
if (file === undefined) {
  console.error('usage: node bench/input-only.ts FILE [lines|json] [DELIMITER_HEX]')
  process.exit(2)
}
let records = 0
const sink: InputSink = {
  record () { records++ },
  skipped () {},
  ready () { return undefined }
}
const t0 = performance.now()
const totals = await readInput({
  sources: [file],
  stdin: process.stdin,
  maxLineBytes: 1_048_576,
  keySeparator: null,
  missingKey: 'skip',
  emptyLines: 'send',
  format: process.argv[3] === 'json' ? 'json' : 'lines',
  delimiter: process.argv[4] === undefined ? null : Buffer.from(process.argv[4], 'hex'),
  clock: realClock,
  signal: new AbortController().signal
}, sink)
const ms = performance.now() - t0
const usage = process.resourceUsage()
const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)
console.log(JSON.stringify({ lines: totals.lines, records, bytes: totals.bytes, ms: Math.round(ms), cpuMs, linesPerSec: Math.round(totals.lines / (ms / 1000)) }))
