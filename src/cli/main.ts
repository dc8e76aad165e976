// The entry point and, with bin/kprod.js, the only code that touches `process`: argv, env,
// stdio, signals and the exit code. Everything else receives these as plain values.

import { fstatSync, readFileSync, statSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import { resolveConfig, type Config } from '../config/config.ts'
import { ConfigError, errorText } from '../errors.ts'
import { EXIT_CODES } from '../exit-codes.ts'
import { isPipeOrSocket } from '../input/pipe-chunks.ts'
import type { FileId } from '../input/output-paths.ts'
import { runPipeline } from '../pipeline.ts'
import type { Progress } from '../report/progress.ts'
import { realClock } from '../util/clock.ts'
import { buildProgram, parseArgs } from './program.ts'
import { createTransport } from './transport-factory.ts'

export interface Io {
  /** Made on first use only: a pipe on fd 0 (`stdinPipe`) is read without it. */
  readonly stdin: Readable
  /** kprod's fd 0 when it is a pipe or socket, read straight into pooled chunks; null: read `stdin`. */
  readonly stdinPipe: number | null
  readonly stdout: Writable
  readonly stderr: Writable & { isTTY?: boolean }
  readonly env: Readonly<Record<string, string | undefined>>
  /** stdin's file when it is a regular file (`kprod < file`), so no output can be that file; else null. */
  readonly stdinFile?: FileId | null
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  readonly onSignal: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void
}

/** The real process. `closeStdin()` ends the stdin stream if kprod read through it, and leaves fd 0 alone if not. */
export function processIo (): Io & { closeStdin (): void } {
  // A pipe on fd 0 is read by PipeChunks through a handle of its own, never through process.stdin.
  // process.stdin may exist anyway (unbundled, commander's ES import of node:process reads every
  // property of process, its stdin getter included; the bundle gives it the global instead), but
  // it never reads. When PipeChunks is done, fd 0 is
  // closed and its number may belong to another socket, so process.stdin is destroyed only when
  // it was the stream kprod read.
  let stdinMade = false
  return {
    get stdin (): Readable {
      stdinMade = true
      return process.stdin
    },
    stdinPipe: isPipeOrSocket(0) ? 0 : null,
    stdinFile: regularFileId(0),
    closeStdin (): void {
      if (stdinMade && process.stdin.readable) process.stdin.destroy()
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal (handler) {
      const onInt = (): void => handler('SIGINT')
      const onTerm = (): void => handler('SIGTERM')
      process.on('SIGINT', onInt)
      process.on('SIGTERM', onTerm)
      return () => {
        process.off('SIGINT', onInt)
        process.off('SIGTERM', onTerm)
      }
    }
  }
}

/** The device and inode of `fd` when it is a regular file, else null (a pipe, a terminal, closed). */
function regularFileId (fd: number): FileId | null {
  try {
    const info = fstatSync(fd)
    return info.isFile() ? { dev: info.dev, ino: info.ino } : null
  } catch {
    return null
  }
}

/** Runs kprod with `argv` (without node and script) and returns the exit code. */
export async function main (argv: readonly string[], io: Io = processIo()): Promise<number> {
  // While the progress bar is drawn, stderr lines go above it (progress.ts), never across it.
  let progress: Progress | null = null
  const warn = (line: string): void => {
    if (progress !== null) progress.print(line)
    else io.stderr.write(line + '\n')
  }
  // --version names the Node it runs on as well: a bug report needs both.
  const program = buildProgram(`kprod ${version()} (Node ${process.version})`, {
    writeOut: (text) => { io.stdout.write(text) },
    writeErr: (text) => { io.stderr.write(text) }
  })
  const parsed = parseArgs(program, argv)
  if ('exitCode' in parsed) return parsed.exitCode
  let config: Config
  try {
    config = resolveConfig(parsed.flags, io.env, parsed.files, parsed.properties, warn)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    for (const problem of err.problems) warn(`kprod: ${problem}`)
    warn('kprod: see kprod --help')
    return EXIT_CODES.usage
  }
  const stop = new AbortController()
  const abort = new AbortController()
  const unsubscribe = io.onSignal((signal) => {
    if (!stop.signal.aborted) {
      warn(`kprod: ${signal}: stopping input, sending what is buffered (--drain-timeout ${config.producer.drainTimeoutMs} ms); send it again to give up`)
      stop.abort(signal)
    } else {
      warn(`kprod: ${signal} again: giving up on what is still pending`)
      abort.abort(signal)
    }
  })
  try {
    // cli-progress is loaded only when a bar will be drawn: pipes and CI never pay for it.
    const showProgress = config.output.progress && io.stderr.isTTY === true && io.stdout !== io.stderr && (io.stdout as { isTTY?: boolean }).isTTY !== true
    const startProgress = showProgress ? (await import('../report/progress.ts')).startProgress : null
    const transport = await createTransport(config, realClock, warn, io.env)
    const result = await runPipeline(config, {
      transport,
      get stdin () { return io.stdin },
      stdinPipe: io.stdinPipe,
      stdinFile: io.stdinFile ?? null,
      stdout: io.stdout,
      warn,
      clock: realClock,
      stop: stop.signal,
      abort: abort.signal,
      poisonReleasedInput: io.env.KPROD_DEBUG_POISON === '1',
      onStart: (reporter) => {
        if (startProgress !== null) progress = startProgress(io.stderr, () => reporter.counts, inputSize(config.input.files))
      }
    })
    return result.exitCode
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) warn(`kprod: ${problem}`)
      return EXIT_CODES.usage
    }
    warn(`kprod: internal error: ${errorText(err)}`)
    if (err instanceof Error && err.stack !== undefined) warn(err.stack)
    return EXIT_CODES.internal
  } finally {
    (progress as Progress | null)?.stop()
    progress = null
    unsubscribe()
  }
}

/** bin/kprod.js calls this: run, then exit with the code once stdout and stderr are flushed. */
export async function run (): Promise<void> {
  quietKnownWarnings()
  // A reader that closes the pipe early (`kprod --help | head`) is no error: the JSON writer
  // notes a closed stdout itself, and the exit code stays the run's.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && stream === process.stdout) process.stderr.write(`kprod: cannot write to stdout: ${err.message}\n`)
    })
  }
  const io = processIo()
  const code = await main(process.argv.slice(2), io)
  process.exitCode = code
  // Pending handles (an idle stdin pipe, a client socket, kafkajs's own timers) must not keep a
  // finished run alive: exit once stdout and stderr have taken every byte (or after 1 s, should a
  // reader stop reading), so every deadline holds to the second.
  io.closeStdin()
  setTimeout(() => process.exit(code), 1000).unref()
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  process.exit(code)
}

/** Resolves once everything written to `stream` so far was handed to the OS (or it failed). */
function flushed (stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve()
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve())
    } catch {
      resolve()
    }
  })
}

/**
 * kafkajs 2.2.4 computes a negative delay in its request queue (harmless: Node clamps it to 1 ms),
 * and Node ≥ 23 warns about it on every run. Drop that one warning; print all others as Node would.
 */
function quietKnownWarnings (): void {
  process.removeAllListeners('warning')
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return
    process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`)
  })
}

/**
 * The bytes the inputs hold when every one is a regular file (file arguments, or stdin redirected
 * from a file), for the progress bar's percentage and ETA; undefined for a pipe or a terminal.
 */
function inputSize (files: readonly string[]): number | undefined {
  let total = 0
  for (const name of files.length === 0 ? ['-'] : files) {
    try {
      const stat = name === '-' ? fstatSync(0) : statSync(name)
      if (!stat.isFile()) return undefined
      total += stat.size
    } catch {
      return undefined
    }
  }
  return total
}

function version (): string {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'kprod' && typeof pkg.version === 'string') return pkg.version
    } catch {}
  }
  return '0.0.0'
}
