// Where input bytes come from: the injected stdin or files, read in the order given. Files are
// checked up front, all at once, so a typo fails the run before anything is sent.

import { ReadStream, constants, createReadStream, statSync } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { ConfigError } from '../errors.ts'
import type { ChunkPool } from './chunk-pool.ts'
import { FileChunks, isRegularFile, type ChunkSource } from './file-chunks.ts'
import { DecompressingChunks } from './decompress.ts'
import { PipeChunks } from './pipe-chunks.ts'
import { StreamChunks } from './stream-chunks.ts'

/** The source name that means standard input. */
export const STDIN = '-'

/**
 * 64 KiB reads, the size of a pipe's buffer, so files and pipes behave alike. Records hold their
 * chunk until every line of it is acknowledged, and a chunk read at once becomes thousands of
 * records at once: bigger reads made the whole pipeline bigger and slower, though the input stage
 * alone is faster with them (bench/README.md, "Figures behind constants in src/").
 */
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024

/** The sources to read, in order: no paths means stdin. */
export function sourceNames (paths: readonly string[]): readonly string[] {
  return paths.length === 0 ? [STDIN] : paths
}

/**
 * Checks that every file exists, is readable and is not a directory, and that stdin is named at
 * most once; throws one ConfigError listing every problem.
 */
export async function checkSources (paths: readonly string[]): Promise<void> {
  const problems: string[] = []
  if (paths.filter((p) => p === STDIN).length > 1) {
    problems.push(`input '${STDIN}' (stdin) is given more than once: it can be read only once`)
  }
  const files = paths.filter((p) => p !== STDIN)
  const found = await Promise.all(files.map(checkFile))
  for (const problem of found) if (problem !== null) problems.push(problem)
  if (problems.length > 0) throw new ConfigError(problems)
}

async function checkFile (path: string): Promise<string | null> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) return `input file '${path}': is a directory`
    await access(path, constants.R_OK)
    return null
  } catch (err) {
    return `input file '${path}': ${describeFsError(err)}`
  }
}

function describeFsError (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOTDIR') return 'a part of the path is not a directory'
  return err instanceof Error ? err.message : String(err)
}

export interface OpenOptions {
  /** Read size of streams. */
  readonly highWaterMark: number
  readonly maxLineBytes: number
  /** Memory for input: files are read in chunks of its chunkBytes, stream pieces copied into them. */
  readonly pool: ChunkPool
  /** The fd of a pipe or socket behind stdin (kprod's own fd 0), read by PipeChunks; then `stdin` is never asked for. */
  readonly stdinPipe?: number | null
  /** Byte offset to start a file at (a resume); stdin is always read from where it stands. */
  readonly start?: number
  /** Read a gzip or zstd source decompressed (decompress.ts); false: --raw-input. */
  readonly decompress?: boolean
}

/**
 * The chunks of one source, in pooled chunks always. Regular files (a file argument, or stdin
 * redirected from a file) are read with FileChunks, a pipe or socket on kprod's stdin with
 * PipeChunks; anything else (named pipes and process substitution, terminals, the injected stdin
 * of tests) through its stream, copied by StreamChunks. `stdin` is called only when it is read.
 */
export function openSource (name: string, stdinStream: () => Readable, o: OpenOptions): ChunkSource {
  const source = openRaw(name, stdinStream, o)
  return o.decompress === true ? new DecompressingChunks(source, o.pool) : source
}

function openRaw (name: string, stdinStream: () => Readable, o: OpenOptions): ChunkSource {
  const files = { pool: o.pool, maxLineBytes: o.maxLineBytes }
  if (name === STDIN) {
    if (o.stdinPipe !== undefined && o.stdinPipe !== null) return new PipeChunks(o.stdinPipe, o)
    const stdin = stdinStream()
    const fd = (stdin as { fd?: unknown }).fd
    return stdin instanceof ReadStream && typeof fd === 'number' && isRegularFile(fd) ? new FileChunks(fd, files) : new StreamChunks(stdin, o)
  }
  const start = o.start ?? 0
  return isRegularPath(name)
    ? new FileChunks(name, { ...files, start })
    // No `start` unless resuming: a stream with one reads at positions, which a named pipe refuses.
    : new StreamChunks(createReadStream(name, start > 0 ? { highWaterMark: o.highWaterMark, start } : { highWaterMark: o.highWaterMark }), o)
}

function isRegularPath (path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false // the stream then reports the error when read
  }
}
