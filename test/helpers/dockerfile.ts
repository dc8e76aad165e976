// Replays a Dockerfile without a Docker engine: each stage gets a directory of its own as its
// root file system; WORKDIR, COPY (from the build context or an earlier stage), ENV and RUN are
// carried out there in order, RUN with the test's own Node first on PATH in place of the base
// image's. Enough for kprod's Dockerfile, and it refuses any instruction it does not know, so a
// new one cannot slip by untested.

import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'

export interface Instruction {
  readonly op: string
  readonly args: string
}

export interface Stage {
  readonly name: string | null
  readonly image: string
  /** The stage's root file system on this machine. */
  readonly root: string
  workdir: string
  readonly env: Record<string, string>
  user: string | null
  entrypoint: readonly string[] | null
}

/** Instructions in order: comments dropped, backslash continuations joined. */
export function parseDockerfile (text: string): Instruction[] {
  const out: Instruction[] = []
  let pending = ''
  for (const raw of text.split('\n')) {
    if (pending === '' && /^\s*(#|$)/.test(raw)) continue
    const line = raw.replace(/\s+$/, '')
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' '
      continue
    }
    const full = (pending + line).trim()
    pending = ''
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(full)
    if (m === null) throw new Error(`cannot parse Dockerfile line: ${full}`)
    out.push({ op: m[1]!.toUpperCase(), args: m[2]! })
  }
  return out
}

/** Runs every instruction; returns the stages, the last one being the image. */
export function replayDockerfile (instructions: readonly Instruction[], context: string, into: string, log: (line: string) => void = () => {}): Stage[] {
  const stages: Stage[] = []
  const inStage = (path: string, stage: Stage): string => join(stage.root, posix.resolve(stage.workdir, path))
  for (const { op, args } of instructions) {
    const stage = stages.at(-1)
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)
      if (m === null) throw new Error(`FROM ${args}`)
      const root = join(into, `stage-${stages.length}`)
      mkdirSync(root, { recursive: true })
      stages.push({ name: m[2] ?? null, image: m[1]!, root, workdir: '/', env: {}, user: null, entrypoint: null })
      continue
    }
    if (stage === undefined) throw new Error(`${op} before FROM`)
    log(`${op} ${args}`)
    switch (op) {
      case 'WORKDIR':
        stage.workdir = posix.resolve(stage.workdir, args)
        mkdirSync(join(stage.root, stage.workdir), { recursive: true })
        break
      case 'ENV':
        for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[m[1]!] = m[2]!.replace(/^"|"$/g, '')
        break
      case 'COPY': {
        const words = args.split(/\s+/)
        const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null
        if (words.some((w) => w.startsWith('--'))) throw new Error(`COPY option not replayed: ${args}`)
        const dest = words.pop()!
        const source = from === null ? null : stages.find((s) => s.name === from || String(stages.indexOf(s)) === from)
        if (from !== null && source === undefined) throw new Error(`COPY --from=${from}: no such stage`)
        for (const src of words) {
          const path = source === null || source === undefined ? join(context, src) : join(source.root, posix.resolve(source.workdir, src))
          if (!existsSync(path)) throw new Error(`COPY ${src}: not found in ${source === null ? 'the build context' : `stage ${from}`}`)
          const target = inStage(dest, stage)
          // Docker: a directory's contents go into dest; a file goes into dest/ or becomes dest.
          const to = statSync(path).isDirectory() || !dest.endsWith('/') ? target : join(target, posix.basename(src))
          mkdirSync(statSync(path).isDirectory() ? to : dirname(to), { recursive: true })
          cpSync(path, to, { recursive: true, verbatimSymlinks: true })
        }
        break
      }
      case 'RUN':
        if (args.startsWith('[')) throw new Error('RUN in exec form is not replayed')
        try {
          execFileSync('sh', ['-c', args], {
            cwd: join(stage.root, stage.workdir),
            env: { ...process.env, ...stage.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
            stdio: ['ignore', 'pipe', 'pipe'],
            maxBuffer: 64 * 1024 * 1024
          })
        } catch (err) {
          const e = err as { stdout?: Buffer, stderr?: Buffer }
          throw new Error(`RUN ${args} failed:\n${String(e.stdout ?? '')}${String(e.stderr ?? '').slice(-4000)}`, { cause: err })
        }
        break
      case 'USER':
        stage.user = args
        break
      case 'ENTRYPOINT':
        stage.entrypoint = JSON.parse(args) as string[]
        break
      default:
        throw new Error(`Dockerfile instruction ${op} is not replayed: teach test/helpers/dockerfile.ts`)
    }
  }
  return stages
}

/** The Dockerfile of the repository at `root`. */
export function readDockerfile (root: string): Instruction[] {
  return parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'))
}
