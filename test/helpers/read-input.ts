// ReadInputOptions for tests of the input stage: no sources, an empty stdin, a fake clock.

import { Readable } from 'node:stream'
import type { ReadInputOptions } from '../../src/input/read-input.ts'
import { FakeClock } from './fake-clock.ts'

/** Options for readInput(): raw lines of at most 100 bytes, unless `overrides` say otherwise. */
export function readInputOptions (overrides: Partial<ReadInputOptions> = {}): ReadInputOptions {
  return {
    sources: [],
    stdin: Readable.from([]),
    maxLineBytes: 100,
    keySeparator: null,
    missingKey: 'skip',
    emptyLines: 'send',
    clock: new FakeClock(),
    signal: new AbortController().signal,
    ...overrides
  }
}
