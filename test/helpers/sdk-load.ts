// Whether a kprod child loads the AWS SDK: run it with `sdkLoadEnv()` and read `sdkModules()` of
// its stderr. The hook (sdk-load-hook.ts, preloaded with --import) names every @aws-sdk/* and
// @smithy/* module the child resolves, on one stderr line when it exits.

import { join } from 'node:path'
import assert from 'node:assert/strict'
import { ROOT } from './kafka.ts'

export const SDK_LOAD_PREFIX = 'kprod-test: AWS SDK modules loaded: '

/** Environment for a child that reports what it loaded. */
export function sdkLoadEnv (): Record<string, string> {
  return { NODE_OPTIONS: `--import=${join(ROOT, 'test', 'helpers', 'sdk-load-hook.ts')}` }
}

/** The SDK modules a child reported in its stderr; fails when it did not report. */
export function sdkModules (stderr: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith(SDK_LOAD_PREFIX))
  assert.ok(line !== undefined, `the SDK load hook did not report; stderr: ${stderr}`)
  return JSON.parse(line.slice(SDK_LOAD_PREFIX.length)) as string[]
}
