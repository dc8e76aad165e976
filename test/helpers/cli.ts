// Runs the built CLI (bin/kprod.js → dist/) as a user would, feeding stdin from a Buffer or a
// stream, and collects the exit code, the JSON lines of stdout and stderr.

import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { ROOT } from './kafka.ts'

export const BIN = join(ROOT, 'bin', 'kprod.js')

export interface CliRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** stdout parsed line by line. */
  readonly lines: Array<Record<string, unknown>>
  readonly summary: Record<string, unknown>
  readonly batches: Array<Record<string, unknown>>
}

export interface CliOptions {
  readonly input?: Buffer | string | Readable | null
  /** Redirect stdin from this file (`kprod < file`), instead of `input`. */
  readonly stdinFile?: string
  readonly env?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
  readonly cwd?: string
  /** Called once the process is running (e.g. to send it a signal later). */
  readonly onSpawn?: (child: ChildProcess) => void
}

/**
 * Runs a bash command line (for what kprod meets only through a shell: `cat file | kprod`, a
 * closed stdin with `<&-`) and collects its exit code, stdout and stderr; its stdin is ignored.
 */
export async function bash (script: string, env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn('bash', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}

/** What a failed assertion on a run shows: the start of its stderr and its summary line. */
export function why (run: CliRun): string {
  return `stderr: ${run.stderr.slice(0, 4000)}\nsummary: ${JSON.stringify(run.summary)}`
}

export function kprod (args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const stdinFd = options.stdinFile === undefined ? null : openSync(options.stdinFile, 'r')
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // Poison: input memory is overwritten when it goes back to kprod's pool, so reuse too early shows.
    env: { KPROD_DEBUG_POISON: '1', ...process.env, ...options.env },
    stdio: [stdinFd ?? 'pipe', 'pipe', 'pipe']
  })
  if (stdinFd !== null) closeSync(stdinFd)
  options.onSpawn?.(child)
  const out: Buffer[] = []
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => out.push(c))
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  const input = options.input
  const stdin = child.stdin
  if (stdin !== null) {
    stdin.on('error', () => {})
    if (input === undefined || input === null) stdin.end()
    else if (typeof input === 'string' || Buffer.isBuffer(input)) stdin.end(input)
    else input.pipe(stdin)
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString()
      // Help and version text is not JSON; every other stdout line must be.
      const lines = stdout.startsWith('{')
        ? stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
        : []
      const summary = lines.findLast((l) => l.type === 'summary') ?? {}
      const batches = lines.filter((l) => l.type === 'batch')
      resolve({ code, signal, stdout, stderr, lines, summary, batches })
    })
  })
}
