// Temporary folders and files for unit tests: made fresh for one test and removed after it, so no
// test sees another's files and none is left behind.

import type { TestContext } from 'node:test'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A new empty folder (`kprod-<name>-…` in the system's temporary folder), removed after test `t`. */
export async function tempDir (t: TestContext, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kprod-${name}-`))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Input files in a new temporary folder, one per text (a.txt, b.txt, ...), and the path a
 * checkpoint beside them would have (cp.json, not written).
 */
export async function inputFiles<const T extends readonly string[]> (t: TestContext, name: string, ...texts: T): Promise<{ dir: string, paths: { -readonly [K in keyof T]: string }, checkpoint: string }> {
  const dir = await tempDir(t, name)
  const paths: string[] = []
  for (const [i, text] of texts.entries()) {
    const path = join(dir, `${String.fromCharCode(97 + i)}.txt`)
    await writeFile(path, text)
    paths.push(path)
  }
  return { dir, paths: paths as { -readonly [K in keyof T]: string }, checkpoint: join(dir, 'cp.json') }
}
