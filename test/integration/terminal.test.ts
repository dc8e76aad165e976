// What a person sees on a terminal, read back from a real one: kprod runs in a tmux pane (stderr
// the pane, stdout redirected to a file) on a file import into a real broker, slowed down by
// one-record batches; tmux capture-pane shows the screen. A skipped line's warning and both signal
// messages must stand whole on lines of their own above the progress line, which shows the share
// of the file read and an ETA, and the run ends as Ctrl-C twice says (exit 130, summary on stdout).

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BIN } from '../helpers/cli.ts'
import { sharedKafka, type Cluster } from '../helpers/kafka.ts'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
// Under CI the terminal check must run: .ci/run installs tmux. Elsewhere, say why it is skipped.
const skip = !hasTmux && process.env.CI !== 'true' ? 'tmux is not installed (apt-get install tmux)' : false

let kafka: Cluster
before(async () => { if (skip === false) kafka = await sharedKafka() })

const socket = `kprod-test-${process.pid}`
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
const screen = (): string => tmux('capture-pane', '-p', '-t', 'kprod')

/** Polls the pane until `want` holds; returns the screen then, or fails with the last screen. */
async function waitForScreen (what: string, want: (text: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs
  let text = ''
  while (Date.now() < until) {
    text = screen()
    if (want(text)) return text
    await sleep(100)
  }
  assert.fail(`the pane never showed ${what}; it shows:\n${text}`)
}

test('on a terminal, a warning and the Ctrl-C messages print whole above the progress line, which shows percent and ETA', { skip, timeout: 240_000 }, async (t) => {
  const topic = await kafka.topic({ partitions: 1 })
  const dir = mkdtempSync(join(tmpdir(), 'kprod-tty-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const input = join(dir, 'import.txt')
  const lines = Array.from({ length: 200_000 }, (_, i) => i === 2 ? '' : `record ${i + 1} of the import`)
  writeFileSync(input, lines.join('\n') + '\n')
  const out = join(dir, 'out.json')

  const command = [process.execPath, BIN, '--brokers', kafka.bootstrap, '--topic', topic, '--empty-lines', 'skip',
    '--batch-records', '1', '--linger', '0', '--drain-timeout', '120000', input].map((a) => `'${a}'`).join(' ')
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'kprod', '-x', '200', '-y', '40', `exec ${command} > '${out}'`)
  t.after(() => { spawnSync('tmux', ['-L', socket, 'kill-server']) })
  tmux('set-option', '-t', 'kprod', 'remain-on-exit', 'on')

  const warning = `kprod: ${input}:3: skipped: the line is empty (--empty-lines skip)`
  const bar = /^kprod \[[=-]{20}\] \d{1,2}% \d+\.\d\/\d+\.\d MiB ETA (\d+:)?\d+:\d\d \| delivered [\d,]+ failed 0 unknown 0 skipped 1 \| /m
  let text = await waitForScreen('the warning above a progress line with percent and ETA', (s) => s.includes(warning + '\n') && bar.test(s))
  assert.ok(text.indexOf(warning) < text.search(bar), `the warning is above the bar:\n${text}`)

  tmux('send-keys', '-t', 'kprod', 'C-c')
  const hint = /^kprod: SIGINT: stopping input, sending what is buffered \(--drain-timeout 120000 ms\); send it again to give up$/m
  text = await waitForScreen('the first Ctrl-C message, whole, with the bar below it', (s) => hint.test(s) && s.search(bar) > s.search(hint))
  assert.ok(text.includes(warning + '\n'), `the warning is still there, whole:\n${text}`)

  tmux('send-keys', '-t', 'kprod', 'C-c')
  // The process's end, as tmux knows it (the "Pane is dead" line is not always drawn).
  text = await waitForScreen('the end of the run', (s) => /\S/.test(s) && tmux('display', '-p', '-t', 'kprod', '#{pane_dead}').trim() === '1')
  assert.match(text, /^kprod: SIGINT again: giving up on what is still pending$/m)
  assert.match(text, hint)
  // Every message stands on its own line: no line holds a message and part of the bar.
  for (const line of text.split('\n').filter((l) => l.startsWith('kprod: '))) assert.doesNotMatch(line, /\| delivered/, line)
  const summary = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').at(-1)!) as { type: string, exitCode: number, signal: string | null, invariantHolds: boolean }
  assert.deepEqual([summary.type, summary.exitCode, summary.signal, summary.invariantHolds], ['summary', 130, 'SIGINT', true])
})
