// The --checkpoint file: its JSON shape, how an input file is identified (device, inode, size and
// a hash of its first bytes), and reading it with every problem named. The file is a log of
// states, one JSON line each, newest last (checkpoint-log.ts writes it); a line cut short by a
// crash is passed over, so the newest complete state wins.

import { createHash } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import type { LineRange } from './line-states.ts'

export const CHECKPOINT_VERSION = 1

/** Bytes hashed at the start of a file: enough to tell a rewritten file from an appended one. */
export const HEAD_BYTES = 4096

/** Who an input file is: a file that changed in any of these ways cannot be resumed. */
export interface FileIdentity {
  readonly dev: number
  readonly ino: number
  /** Bytes when the checkpoint was written; a resume accepts a file that grew (appended to). */
  readonly size: number
  /** How many bytes `head` hashes: min(size, HEAD_BYTES) when first seen. */
  readonly headBytes: number
  /** sha256 of the first `headBytes` bytes, hex. */
  readonly head: string
}

/** How far one input file got. Line numbers are 1-based within the file. */
export interface FileProgress extends FileIdentity {
  /** The path as given on the command line. */
  readonly path: string
  /** A line boundary to start reading at on resume, and the lines before it (all done). */
  readonly from: { readonly offset: number, readonly line: number }
  /** A line boundary: every line before it was read; those not in `resend` are done. */
  readonly to: { readonly offset: number, readonly line: number }
  /** Lines between from and to to send again (failed, unknown, unsent or pending), inclusive ranges. */
  readonly resend: readonly LineRange[]
}

export interface CheckpointData {
  readonly kprodCheckpoint: number
  /** When it was written (RFC 3339). */
  readonly savedAt: string
  readonly files: readonly FileProgress[]
}

/** Device, inode, size and head hash of an open file. */
export async function identify (path: string, headBytes = HEAD_BYTES): Promise<FileIdentity> {
  const handle = await open(path, 'r')
  try {
    const info = await handle.stat()
    const want = Math.min(info.size, headBytes)
    const buffer = Buffer.alloc(want)
    let got = 0
    while (got < want) {
      const { bytesRead } = await handle.read(buffer, got, want - got, got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    const head = createHash('sha256').update(buffer.subarray(0, got)).digest('hex')
    return { dev: info.dev, ino: info.ino, size: info.size, headBytes: got, head }
  } finally {
    await handle.close()
  }
}

/** Why `now` is not the file `saved` describes, or null when it is (the same file, maybe appended to). */
export function changeOf (saved: FileIdentity, now: FileIdentity): string | null {
  if (saved.dev !== now.dev || saved.ino !== now.ino) return 'it is another file now (device or inode changed)'
  if (now.size < saved.size) return `it shrank from ${saved.size} to ${now.size} bytes`
  if (now.head !== saved.head) return `its first ${saved.headBytes} bytes changed`
  return null
}

/** The newest state in the checkpoint at `path`, null when there is none; throws an Error naming what is wrong with it. */
export async function readCheckpoint (path: string): Promise<CheckpointData | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  const lines = text.split('\n')
  let firstProblem: string | null = null
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string
    if (line.trim() === '') continue
    let data: unknown
    try {
      data = JSON.parse(line)
    } catch {
      firstProblem = 'it is not JSON'
      continue
    }
    const problem = shapeProblem(data)
    if (problem === null) return data as CheckpointData
    firstProblem = problem
  }
  throw new Error(firstProblem ?? 'it is not JSON')
}

function shapeProblem (data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return 'it is not a JSON object'
  const d = data as Record<string, unknown>
  if (d.kprodCheckpoint !== CHECKPOINT_VERSION) return `it is not a kprod checkpoint of version ${CHECKPOINT_VERSION}`
  if (!Array.isArray(d.files)) return 'it has no files list'
  for (const f of d.files as unknown[]) {
    const p = f as Record<string, unknown> | null
    const isPoint = (x: unknown): boolean => typeof x === 'object' && x !== null && Number.isSafeInteger((x as Record<string, unknown>).offset) && Number.isSafeInteger((x as Record<string, unknown>).line)
    if (p === null || typeof p.path !== 'string' || !isPoint(p.from) || !isPoint(p.to) || !Array.isArray(p.resend) ||
      !['dev', 'ino', 'size', 'headBytes'].every((k) => Number.isSafeInteger(p[k])) || typeof p.head !== 'string') {
      return `an entry of its files list is malformed: ${JSON.stringify(f).slice(0, 200)}`
    }
  }
  return null
}
