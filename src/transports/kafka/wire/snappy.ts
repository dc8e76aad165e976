// Snappy for the wire client: the `snappy` package's encoder (the Rust `snap` crate, native and
// fast) and this file's own, chosen per section by which makes the sections smaller.
//
// The own encoder is C snappy's search (one hash lookup per step, the step growing by a byte
// every 32 misses) over a window that is the whole section, where C snappy, librdkafka's port of
// it and `snap` each compress 64 KiB fragments on their own, and `snap` lets its step grow by a
// 32nd of itself after each miss. On records that repeat each other at a distance (W2's 10 KiB
// lines) `snap` skips past the repeats and leaves 3.6 times the bytes this encoder does; on short
// lines with near repeats (W1, JSON logs) `snap` finds them as well and is 4-13 times faster.
// The format allows the wide window: a copy may reach any byte already written (a 2-byte offset
// below 64 KiB, a 4-byte one above), and every snappy decoder (C++ snappy in the broker's
// snappy-java, librdkafka, `snap`) checks a copy only against the bytes written so far.
// Measurements: bench/README.md, "snappy: a wide window".

import { writeVarint } from '../../../util/varint.ts'

/** Sections from a trial that picked the own encoder to the next trial, and the first gap after one that did not. */
export const TRIAL_GAP = 32
/** The longest gap: after each trial that keeps the `snappy` package's encoder the gap doubles, up to this. */
export const MAX_TRIAL_GAP = 512
/** The own encoder is picked when its output is at most this share of `snap`'s: fewer bytes must pay for its slower search. */
export const WIDE_SHARE = 0.75

type Encode = (data: Buffer) => Buffer

/**
 * A snappy encoder that runs both `native` and `wide` on trial sections, returns the smaller
 * output of a trial, and between trials uses `wide` alone when its output was at most WIDE_SHARE
 * of `native`'s, else `native` alone. Trials: the first section, then TRIAL_GAP sections after a
 * trial that picked `wide`; after one that kept `native`, twice the last gap (up to
 * MAX_TRIAL_GAP), so that input the own encoder does not help (JSON lines) pays for few trials.
 */
export function pickingEncoder (native: Encode, wide: Encode = snappyCompress): Encode {
  let section = 0
  let nextTrial = 0
  let gap = TRIAL_GAP / 2
  let useWide = false
  return (data) => {
    if (section++ !== nextTrial) return useWide ? wide(data) : native(data)
    const a = native(data)
    const b = wide(data)
    useWide = b.length <= a.length * WIDE_SHARE
    gap = useWide ? TRIAL_GAP : Math.min(2 * gap, MAX_TRIAL_GAP)
    nextTrial += gap
    return b.length < a.length ? b : a
  }
}

/** The largest hash table: 2^16 positions (256 KiB), a position per 16 bytes of a 1 MiB section. */
const MAX_TABLE_BITS = 16
const MIN_TABLE_BITS = 8
/** No lookup starts within this many bytes of the end, so a 4-byte load never passes it (as in C snappy). */
const INPUT_MARGIN = 15
/** Matches shorter than this are extended a byte at a time; longer ones by native compares. */
const SHORT_MATCH = 32

const TAG_LITERAL = 0
const TAG_COPY_1 = 1
const TAG_COPY_2 = 2
const TAG_COPY_4 = 3

let table = new Int32Array(1 << MAX_TABLE_BITS)
let scratch = Buffer.allocUnsafe(0)

/** The most bytes `length` input bytes can compress to (C snappy's MaxCompressedLength). */
export function maxCompressedLength (length: number): number {
  return 32 + length + Math.floor(length / 6)
}

/** `input` as one raw snappy block (varint length, then literals and copies). */
export function snappyCompress (input: Buffer): Buffer {
  const need = maxCompressedLength(input.length)
  if (scratch.length < need) scratch = Buffer.allocUnsafe(need)
  const written = compressInto(input, scratch)
  const out = Buffer.allocUnsafe(written)
  scratch.copy(out, 0, 0, written)
  return out
}

function compressInto (s: Buffer, out: Buffer): number {
  const n = s.length
  let op = writeVarint(out, 0, n)
  const v = new DataView(s.buffer, s.byteOffset, s.byteLength)
  if (n < INPUT_MARGIN + 1) return emitLiteral(out, op, s, 0, n)

  let bits = MIN_TABLE_BITS
  while (bits < MAX_TABLE_BITS && (1 << bits) < (n >>> 4)) bits++
  const shift = 32 - bits
  if (table.length < (1 << bits)) table = new Int32Array(1 << bits)
  const t = table
  t.fill(-1, 0, 1 << bits)

  const ipLimit = n - INPUT_MARGIN
  let nextEmit = 0
  let ip = 1
  let nextHash = Math.imul(v.getInt32(ip), 0x1e35a7bd) >>> shift
  for (;;) {
    // Step 1: look for a 4-byte match, one lookup per step, the step growing as misses go on.
    let skip = 32
    let nextIp = ip
    let candidate = -1
    do {
      ip = nextIp
      const hash = nextHash
      nextIp = ip + (skip++ >> 5)
      if (nextIp > ipLimit) break
      nextHash = Math.imul(v.getInt32(nextIp), 0x1e35a7bd) >>> shift
      candidate = t[hash]!
      t[hash] = ip
    } while (candidate < 0 || v.getInt32(ip) !== v.getInt32(candidate))
    if (nextIp > ipLimit) break

    // Step 2: the bytes since the last copy as a literal, then copies for as long as the next
    // position matches too.
    op = emitLiteral(out, op, s, nextEmit, ip)
    let word = 0
    do {
      const start = ip
      ip += 4 + matchLength(s, candidate + 4, ip + 4, n)
      op = emitCopy(out, op, start - candidate, ip - start)
      nextEmit = ip
      if (ip >= ipLimit) break
      t[Math.imul(v.getInt32(ip - 1), 0x1e35a7bd) >>> shift] = ip - 1
      word = v.getInt32(ip)
      const hash = Math.imul(word, 0x1e35a7bd) >>> shift
      candidate = t[hash]!
      t[hash] = ip
    } while (candidate >= 0 && word === v.getInt32(candidate))
    if (ip >= ipLimit) break
    ip++
    nextHash = Math.imul(v.getInt32(ip), 0x1e35a7bd) >>> shift
  }
  return nextEmit < n ? emitLiteral(out, op, s, nextEmit, n) : op
}

/** How many bytes from `a` equal those from `b` (a < b), up to `end` for `b`. */
function matchLength (s: Buffer, a: number, b: number, end: number): number {
  const max = end - b
  let len = 0
  const short = Math.min(max, SHORT_MATCH)
  while (len < short) {
    if (s[a + len] !== s[b + len]) return len
    len++
  }
  if (len === max) return len
  // A long match (the same record fields, a repeated record): memcmp over doubling lengths, then
  // halving ones to find where it ends.
  let step = 64
  while (len + step <= max && s.compare(s, a + len, a + len + step, b + len, b + len + step) === 0) {
    len += step
    step *= 2
  }
  let high = Math.min(len + step, max)
  while (high - len > SHORT_MATCH) {
    const mid = (len + high) >>> 1
    if (s.compare(s, a + len, a + mid, b + len, b + mid) === 0) len = mid
    else high = mid
  }
  while (len < high && s[a + len] === s[b + len]) len++
  return len
}

function emitLiteral (out: Buffer, op: number, s: Buffer, from: number, to: number): number {
  const n = to - from - 1
  if (n < 0) return op
  if (n < 60) {
    out[op++] = TAG_LITERAL | (n << 2)
  } else {
    const bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4
    out[op++] = TAG_LITERAL | ((59 + bytes) << 2)
    for (let i = 0; i < bytes; i++) out[op++] = (n >>> (8 * i)) & 0xff
  }
  if (to - from < 16) {
    for (let i = from; i < to; i++) out[op++] = s[i]!
    return op
  }
  return op + s.copy(out, op, from, to)
}

/** A copy of `length` bytes from `offset` back, as copies of at most 64 bytes (the format's limit). */
function emitCopy (out: Buffer, op: number, offset: number, length: number): number {
  // As C snappy: 64-byte copies while at least 68 are left, so the last one is at least 4.
  while (length >= 68) {
    op = emitCopyUpTo64(out, op, offset, 64)
    length -= 64
  }
  if (length > 64) {
    op = emitCopyUpTo64(out, op, offset, 60)
    length -= 60
  }
  return emitCopyUpTo64(out, op, offset, length)
}

function emitCopyUpTo64 (out: Buffer, op: number, offset: number, length: number): number {
  if (length < 12 && offset < 2048) {
    out[op++] = TAG_COPY_1 | ((length - 4) << 2) | ((offset >>> 8) << 5)
    out[op++] = offset & 0xff
  } else if (offset < 0x10000) {
    out[op++] = TAG_COPY_2 | ((length - 1) << 2)
    out[op++] = offset & 0xff
    out[op++] = offset >>> 8
  } else {
    out[op++] = TAG_COPY_4 | ((length - 1) << 2)
    out.writeUInt32LE(offset, op)
    op += 4
  }
  return op
}
