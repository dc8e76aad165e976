// The architecture, checked: `process` and console only at the CLI entry, the core stages never
// import an SDK or a concrete transport, only the transport factory picks one, and no module
// outside transports/, cli/ and config/ names a target.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const SRC = join(ROOT, 'src')

function files (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

const sources = files(SRC).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
const code = (text: string): string => text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '')

test('only src/cli touches process or console', () => {
  const offenders = sources.filter((f) => !f.path.startsWith('src/cli/') && /\b(process\.|console\.)/.test(code(f.text)))
  assert.deepEqual(offenders.map((f) => f.path), [])
})

test('input, batch, producer and report stages import no SDK and no concrete transport', () => {
  const core = sources.filter((f) => /^src\/(input|batch|producer|report|util)\//.test(f.path))
  assert.ok(core.length > 5)
  const offenders = core.filter((f) => /from '(kafkajs|@aws-sdk\/[^']+)'|transports\/(kafka|kinesis)/.test(f.text))
  assert.deepEqual(offenders.map((f) => f.path), [])
})

test('only the transport factory imports a concrete transport', () => {
  // Static or dynamic (the factory loads the chosen client only).
  const concrete = /(from |import\()'[^']*(kafka\/kafkajs|kafka\/wire\/transport|kinesis\/transport)\.ts'/
  const importers = sources.filter((f) => concrete.test(f.text))
  assert.deepEqual(importers.map((f) => f.path), ['src/cli/transport-factory.ts'])
})

test('every module opens with a comment stating its responsibility', () => {
  const bare = sources.filter((f) => !f.text.startsWith('//'))
  assert.deepEqual(bare.map((f) => f.path), [])
})

/** The src/ modules a module imports, type-only and dynamic imports included. */
function importsOf (file: { path: string, text: string }): string[] {
  const specs = [...code(file.text).matchAll(/(?:from |import\()'(\.{1,2}\/[^']+\.ts)'/g)].map((m) => m[1]!)
  return specs.map((s) => relative(ROOT, join(ROOT, file.path, '..', s)))
}

test('no import cycle in src/, type-only imports included', () => {
  const graph = new Map(sources.map((f) => [f.path, importsOf(f)]))
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (path: string, trail: string[]): void => {
    if (state.get(path) === 'done') return
    if (state.get(path) === 'open') { cycles.push([...trail.slice(trail.indexOf(path)), path].join(' -> ')); return }
    state.set(path, 'open')
    for (const next of graph.get(path) ?? []) visit(next, [...trail, path])
    state.set(path, 'done')
  }
  for (const path of graph.keys()) visit(path, [])
  assert.deepEqual(cycles, [])
})

test('leaf modules (errors, record, util/) import nothing of src/ above them', () => {
  const leaves = sources.filter((f) => f.path === 'src/errors.ts' || f.path === 'src/record.ts' || f.path.startsWith('src/util/'))
  assert.ok(leaves.length >= 3)
  const offenders = leaves.flatMap((f) => importsOf(f).filter((to) => !to.startsWith('src/util/')).map((to) => `${f.path} -> ${to}`))
  assert.deepEqual(offenders, [])
})

test('target names (kafka, kinesis) appear only in transports/, cli/ and config/, in code and imports', () => {
  // Comments may say which target a case serves; code, strings and import paths may not.
  const core = sources.filter((f) => !/^src\/(transports|cli|config)\//.test(f.path))
  assert.ok(core.length > 20)
  const offenders = core.flatMap((f) => code(f.text).split('\n')
    .map((line, i) => ({ line, at: `${f.path}:${i + 1}` }))
    .filter(({ line }) => /kafka|kinesis/i.test(line))
    .map(({ at, line }) => `${at}: ${line.trim()}`))
  assert.deepEqual(offenders, [])
})
