// Documentation stays true to the code: the man page is rendered from the option table, the
// README names every option and exit code, and CI runs the README's test command.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { OPTIONS } from '../src/config/options.ts'
import { EXIT_CODES } from '../src/exit-codes.ts'
import { renderMan } from '../scripts/man.ts'

const ROOT = join(import.meta.dirname, '..')
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')
const pkg = JSON.parse(read('package.json')) as { version: string }

test('man/kprod.1 is the page rendered from the option table (regenerate: node scripts/man.ts > man/kprod.1)', () => {
  assert.equal(read('man/kprod.1'), renderMan(pkg.version))
})

test('the README names every option and every exit code', () => {
  const readme = read('README.md')
  const missing = OPTIONS.map((o) => `--${o.name}`).filter((flag) => !readme.includes(flag))
  assert.deepEqual(missing, [])
  for (const code of Object.values(EXIT_CODES)) assert.match(readme, new RegExp(`\\b${code}\\b`))
})

test('the README quick start has the demo and test commands, and .ci/run runs the test command', () => {
  const readme = read('README.md')
  assert.match(readme, /npm ci && npm run demo/)
  assert.match(readme, /\bnpm test\b/)
  assert.match(read('.ci/run'), /^npm test$/m)
})

test('the output schema is valid JSON with batch, stats and summary lines', () => {
  const schema = JSON.parse(read('schema/output.schema.json')) as Record<string, unknown>
  const text = JSON.stringify(schema)
  for (const type of ['batch', 'stats', 'summary']) assert.ok(text.includes(`"${type}"`), type)
})
