// Files kprod writes (--failed-output, and any later one) are checked before anything is opened
// for writing: one that is an input (the same device and inode as an input file, or as stdin's
// file when stdin is read) would be truncated before it is read, so the run is refused (exit 2);
// one whose folder is missing, or that is a folder, is refused with a message instead of a stack.

import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ConfigError } from '../errors.ts'
import { STDIN, sourceNames } from './sources.ts'

/** A file's identity: the same device and inode means the same file, whatever its name. */
export interface FileId {
  readonly dev: number
  readonly ino: number
}

/** A file kprod will write, with the flag that names it (for messages). */
export interface OutputPath {
  readonly flag: string
  readonly path: string
}

/**
 * Throws one ConfigError listing every output that is an input or cannot be created. `stdinFile`
 * is stdin's file when stdin is a regular file (`kprod < file`), else null.
 */
export async function checkOutputPaths (outputs: readonly OutputPath[], inputs: readonly string[], stdinFile: FileId | null): Promise<void> {
  const problems: string[] = []
  const sources = sourceNames(inputs)
  const inputIds: { name: string, id: FileId }[] = []
  for (const name of sources) {
    if (name === STDIN) {
      if (stdinFile !== null) inputIds.push({ name: 'stdin', id: stdinFile })
      continue
    }
    const id = await fileId(name)
    if (id !== null) inputIds.push({ name: `input file '${name}'`, id })
  }
  for (const { flag, path } of outputs) {
    const problem = await outputProblem(path, inputIds)
    if (problem !== null) problems.push(`${flag} '${path}': ${problem}`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
}

async function outputProblem (path: string, inputs: readonly { name: string, id: FileId }[]): Promise<string | null> {
  let info
  try {
    info = await stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return describe(err)
    return await folderProblem(dirname(path))
  }
  if (info.isDirectory()) return 'is a folder; name a file'
  const same = inputs.find((i) => i.id.dev === info.dev && i.id.ino === info.ino)
  if (same !== undefined) return `is the same file as ${same.name}: writing it would destroy the input before it is read; name another file`
  return null
}

async function folderProblem (folder: string): Promise<string | null> {
  try {
    const info = await stat(folder)
    return info.isDirectory() ? null : `'${folder}' is not a folder`
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `folder '${folder}' does not exist; create it first`
    return describe(err)
  }
}

async function fileId (path: string): Promise<FileId | null> {
  try {
    const info = await stat(path)
    return { dev: info.dev, ino: info.ino }
  } catch {
    return null // checkSources reports unreadable inputs
  }
}

function describe (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOTDIR') return 'a part of the path is not a folder'
  return err instanceof Error ? err.message : String(err)
}
