// Documentation stays true to the code: the flags the CLI accepts (commander, built from the
// option table) and the flags the README, --help, the man page and the output schema name are the
// same set, whatever options exist; the man page is rendered from the table; the README quick start
// is the two commands CI runs; no user-facing text speaks the project's internal language.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXIT_CODES } from '../src/exit-codes.ts'
import { ERROR_CODES } from '../src/errors.ts'
import { buildProgram } from '../src/cli/program.ts'
import { renderMan } from '../scripts/man.ts'

const ROOT = join(import.meta.dirname, '..')
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')
const pkg = JSON.parse(read('package.json')) as { version: string }

const program = buildProgram(pkg.version, { writeOut: () => {}, writeErr: () => {} })
const options = program.createHelp().visibleOptions(program)
/** Every flag the CLI accepts, long and short (--help and --version included, hidden ones such as --no-idempotent too). */
const ACCEPTED = new Set([...options, ...program.options].flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined))
const LONG = [...ACCEPTED].filter((f) => f.startsWith('--'))
const SHORT = [...ACCEPTED].filter((f) => !f.startsWith('--'))
const HELP = program.helpInformation()
const MAN = renderMan(pkg.version)
const README = read('README.md')
const SCHEMA = read('schema/output.schema.json')

const LONG_FLAG = /(?<![\w-])--[a-z][a-z0-9-]*/g
const SHORT_FLAG = /(?<![\w-])-[a-zA-Z](?![\w-])/g

/**
 * The flags a text gives kprod. In prose every long flag counts; in a command line only the flags
 * after the word `kprod` count (`tail -f x | kprod -q` names -q, not -f), long and short alike.
 */
function flagsIn (text: string, isCommand: (line: string) => boolean): Set<string> {
  const found = new Set<string>()
  const fromCommand = (line: string): void => {
    for (const segment of line.split(/\||;|&&/)) {
      const words = segment.replace(/\s#\s.*$/, '').trim().split(/\s+/)
      const at = words.indexOf('kprod')
      if (at < 0) continue
      const rest = words.slice(at + 1).join(' ')
      for (const m of rest.matchAll(LONG_FLAG)) found.add(m[0])
      for (const m of rest.matchAll(SHORT_FLAG)) found.add(m[0])
    }
  }
  for (const line of text.split('\n')) {
    if (isCommand(line)) {
      fromCommand(line)
      continue
    }
    // Inline code that runs kprod is a command line of its own; the rest is prose.
    const prose = line.replace(/`([^`]*)`/g, (span, code: string) => {
      if (code.startsWith('scripts/')) return '' // the project's scripts have flags of their own
      if (!code.split(/\s+/).includes('kprod')) return span
      fromCommand(code)
      return ''
    })
    for (const m of prose.matchAll(LONG_FLAG)) found.add(m[0])
  }
  return found
}

/** Code lines of the README: inside ``` fences. */
function readmeFlags (): Set<string> {
  // These sections are about other tools (scripts/local-kafka, the benchmarks, npm scripts).
  const otherTools = new Set(['Local broker', 'Performance', 'Development'])
  const kept = README.split(/^(?=## )/m).filter((s) => !otherTools.has(/^## (.*)/.exec(s)?.[1] ?? '')).join('')
  const commandLines = new Set<number>()
  let fenced = false
  kept.split('\n').forEach((line, i) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced
    else if (fenced) commandLines.add(i)
  })
  const lines = kept.split('\n')
  return flagsIn(kept, (line) => commandLines.has(lines.indexOf(line)))
}

const manText = MAN.replaceAll('\\-', '-').replaceAll('\\e', '\\').replace(/\\f[BIR]/g, '')
const isHelpExample = (line: string): boolean => /^ {2}\S/.test(line) && line.includes('kprod ') && !line.trimStart().startsWith('-')

const DOCS: Record<string, () => Set<string>> = {
  'the README': readmeFlags,
  '--help': () => flagsIn(HELP, isHelpExample),
  'the man page': () => flagsIn(manText, (line) => /^(tail|kprod|printf|cat) /.test(line)),
  'the output schema': () => flagsIn(SCHEMA, () => false)
}

for (const [doc, flags] of Object.entries(DOCS)) {
  test(`every flag ${doc} names is one the CLI accepts`, () => {
    assert.deepEqual([...flags()].filter((f) => !ACCEPTED.has(f)).sort(), [])
  })
}

for (const [doc, text] of Object.entries({ 'the README': README, '--help': HELP, 'the man page': manText })) {
  test(`${doc} names every long flag the CLI accepts`, () => {
    assert.deepEqual(LONG.filter((f) => !new RegExp(`(?<![\\w-])${f}(?![\\w-])`).test(text)), [])
  })
}

test('--help and the man page show every short flag beside its long flag', () => {
  for (const o of options.filter((x) => x.short !== undefined)) {
    assert.ok(HELP.includes(`${o.short}, ${o.long}`), `--help: ${o.flags}`)
    assert.ok(manText.includes(`${o.short}, ${o.long}`), `man page: ${o.flags}`)
  }
  assert.ok(SHORT.length > 0)
})

test('the man page and --help cover both targets, Kafka and Kinesis', () => {
  for (const [doc, text] of [['--help', HELP], ['man page', manText]] as const) {
    assert.match(text, /Kinesis/, doc)
    assert.match(text, /Kafka/, doc)
  }
  const name = /\.SH NAME\n(.*)/.exec(manText)?.[1] ?? ''
  assert.match(name, /Kafka/)
  assert.match(name, /Kinesis/)
  assert.match(/\.SH SYNOPSIS\n([\s\S]*?)\.SH/.exec(manText)?.[1] ?? '', /--stream/)
})

test('man/kprod.1 is the page rendered from the option table (regenerate: node scripts/man.ts > man/kprod.1)', () => {
  assert.equal(read('man/kprod.1'), MAN)
})

test('the README names every exit code', () => {
  for (const code of Object.values(EXIT_CODES)) assert.match(README, new RegExp(`^\\| ${code} \\|`, 'm'))
})

test('the README and the output schema document every error code, and no other', () => {
  const rows = [...README.matchAll(/^\| `(KPROD_[A-Z_]+)` \|/gm)].map((m) => m[1])
  assert.deepEqual(rows, [...ERROR_CODES])
  const schema = JSON.parse(SCHEMA) as { $defs: { errorCode: { enum: string[], description: string } } }
  assert.deepEqual(schema.$defs.errorCode.enum, [...ERROR_CODES])
  for (const code of ERROR_CODES) assert.match(schema.$defs.errorCode.description, new RegExp(`\\b${code}: `), code)
})

test('the README quick start is two commands, and .ci/run runs the same test command', () => {
  const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1))
  const commands = /```sh\n([^`]*)```/.exec(quickStart)?.[1]?.trim().split('\n').map((l) => l.replace(/\s+#.*$/, '')) ?? []
  assert.deepEqual(commands, ['bash scripts/demo', 'bash scripts/test'])
  assert.match(read('.ci/run'), /^bash scripts\/test$/m)
})

test('user-facing text has no internal jargon ("the seed")', () => {
  for (const [doc, text] of Object.entries({ README, HELP, MAN, SCHEMA })) assert.doesNotMatch(text, /\bseeds?\b/i, doc)
})

test('a LICENSE file exists and matches package.json', () => {
  const license = (JSON.parse(read('package.json')) as { license: string }).license
  assert.equal(license, 'MIT')
  assert.match(read('LICENSE'), /^MIT License\n/)
})

test('the output schema is valid JSON with batch, stats and summary lines', () => {
  const schema = JSON.parse(SCHEMA) as Record<string, unknown>
  const text = JSON.stringify(schema)
  for (const type of ['batch', 'stats', 'summary']) assert.ok(text.includes(`"${type}"`), type)
})
