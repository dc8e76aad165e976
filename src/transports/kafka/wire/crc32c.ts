// CRC-32C (Castagnoli), the checksum of a Kafka v2 record batch. node:zlib only has the IEEE
// CRC-32. The optional dependency @node-rs/crc32 computes it with the CPU's CRC instructions
// (about 8 GB/s here); without it, a slicing-by-8 table version in JavaScript (about 0.9 GB/s).
// The native module is loaded on the first large batch only: a short run (one line from a CI
// script) sums a few bytes, faster in JavaScript than loading a shared library.

import { createRequire } from 'node:module'

const POLY = 0x82f63b78

const TABLES: Int32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256))
  const t0 = tables[0] as Int32Array
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ POLY : c >>> 1
    t0[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number
    for (let k = 1; k < 8; k++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8)
      ;(tables[k] as Int32Array)[n] = c
    }
  }
  return tables
})()

/** CRC-32C of buf[start, end) in JavaScript, as an unsigned 32-bit number. */
export function crc32cJs (buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array]
  let crc = -1
  let i = start
  const stop8 = end - ((end - start) & 7)
  while (i < stop8) {
    const lo = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))
    crc = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]! ^
      t3[buf[i + 4]!]! ^ t2[buf[i + 5]!]! ^ t1[buf[i + 6]!]! ^ t0[buf[i + 7]!]!
    i += 8
  }
  while (i < end) crc = t0[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}

type NativeCrc = (input: Buffer, initialState?: number) => number

function loadNative (): NativeCrc | null {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc }
    return typeof mod.crc32c === 'function' ? mod.crc32c : null
  } catch {
    return null
  }
}

/** Below this many bytes the JavaScript version is used: it takes microseconds there. */
const NATIVE_FROM = 64 * 1024

let native: NativeCrc | null | undefined

/** Which implementation crc32c() uses for large buffers (loads it). */
export function crc32cImplementation (): 'native' | 'js' {
  native ??= loadNative()
  return native === null ? 'js' : 'native'
}

/** CRC-32C of buf[start, end), as an unsigned 32-bit number. */
export function crc32c (buf: Buffer, start = 0, end = buf.length): number {
  if (end - start < NATIVE_FROM) return crc32cJs(buf, start, end)
  native ??= loadNative()
  if (native === null) return crc32cJs(buf, start, end)
  return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0
}
