// Compresses the records section of a v2 record batch with the codec named in its attributes:
// gzip and zstd from node:zlib, snappy (xerial-framed, as the Java client writes it) from the
// `snappy` package or kprod's own encoder (snappy.ts), and lz4 (the LZ4 frame format) from
// `lz4-napi`; `snappy` and `lz4-napi` are native napi-rs builds.
// Each library is loaded on its first batch: most runs never compress. gzip runs on node:zlib's
// thread pool, where it can use every core; snappy, lz4 and zstd run on the main thread, where
// they cost less than the hand-off to another thread (bench/README.md, "Codecs: where to
// compress"). The result is a list of pieces that the request is written from in turn, so
// framing never costs a copy of the compressed bytes.

import { createRequire } from 'node:module'
import { KprodError } from '../../../errors.ts'
import { pickingEncoder } from './snappy.ts'

/** The codec ids of the batch attributes' low three bits (Kafka protocol, RecordBatch). */
export const CODECS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const
export type Codec = keyof typeof CODECS

/** The lowest Produce version a broker takes a codec in (zstd came with Produce v7, KIP-110). */
export const MIN_PRODUCE_VERSION: Readonly<Record<Codec, number>> = { none: 0, gzip: 0, snappy: 0, lz4: 0, zstd: 7 }

/** A compressed records section: pieces to be written one after the other. */
export type Compressed = readonly Buffer[]

type Compress = (data: Buffer) => Promise<Compressed>

const require = createRequire(import.meta.url)
const loaded = new Map<Codec, Compress>()

/**
 * `data` compressed with `codec` (not 'none'); a library that cannot be loaded is KPROD_CONFIG,
 * for this batch and every later one, without looking for the library again.
 */
export function compress (codec: Exclude<Codec, 'none'>, data: Buffer): Promise<Compressed> {
  let compressor = loaded.get(codec)
  if (compressor === undefined) {
    try {
      compressor = load(codec)
    } catch (err) {
      compressor = () => Promise.reject(err)
    }
    loaded.set(codec, compressor)
  }
  return compressor(data)
}

function load (codec: Exclude<Codec, 'none'>): Compress {
  switch (codec) {
    case 'gzip': {
      const zlib = require('node:zlib') as typeof import('node:zlib')
      const util = require('node:util') as typeof import('node:util')
      const gzip = util.promisify(zlib.gzip)
      return async (data) => [await gzip(data)]
    }
    case 'zstd': {
      const zlib = require('node:zlib') as typeof import('node:zlib')
      if (typeof zlib.zstdCompressSync !== 'function') throw missing(codec, 'node:zlib of Node >= 22.15')
      // Synchronous, and told the input size so zstd sizes its window and tables to one batch:
      // 1.05 s of CPU on W2 where the thread-pool form without the size took 1.26-1.45 s.
      return async (data) => [zlib.zstdCompressSync(data, { pledgedSrcSize: data.length })]
    }
    case 'snappy': {
      // The `snappy` package's encoder or kprod's own wide-window one, whichever makes the
      // sections smaller (snappy.ts). The package's synchronous form into a V8-owned buffer
      // (`copyOutputData`): the asynchronous form copies through napi tasks into external buffers
      // that the collector frees late, which took 1.75 s of CPU and 360 MB of RSS on W2 where this
      // takes 1.0 s and 160 MB.
      const snappy = native<{ compressSync: (data: Uint8Array, options: { copyOutputData: boolean }) => Buffer }>('snappy', codec)
      const encode = pickingEncoder((data) => snappy.compressSync(data, { copyOutputData: true }))
      return async (data) => xerial(encode(data), data.length)
    }
    case 'lz4': {
      // Synchronous blocks, framed here. lz4-napi's own frame encoder copies the input into a
      // zeroed buffer of the block size first, which cost twice what compressing W2's sections
      // did; its thread-pool form cost the main thread as much as compressing there did, and the
      // pool's thread the compression again (bench/README.md, "Codecs: where to compress").
      const lz4 = native<{ compressSync: (data: Uint8Array) => Buffer }>('lz4-napi', codec)
      return async (data) => lz4Frame(data, lz4.compressSync)
    }
  }
}

function native<T> (name: string, codec: Codec): T {
  try {
    return require(name) as T
  } catch (err) {
    throw missing(codec, `the npm package ${name}`, err)
  }
}

function missing (codec: Codec, what: string, cause?: unknown): KprodError {
  return new KprodError('KPROD_CONFIG', `--compression ${codec} needs ${what}, which cannot be loaded here${cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : ''}`, { cause })
}

/**
 * Xerial's snappy-java stream framing, which the Java producer writes and every Kafka reader takes
 * (librdkafka and the broker take raw snappy too): an 8-byte magic, version 1, compatible version
 * 1, then chunks of an int32 length and a raw snappy block. One chunk holds the whole section.
 */
const XERIAL_HEADER = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])

function xerial (block: Buffer, uncompressed: number): Compressed {
  if (uncompressed === 0) return [XERIAL_HEADER]
  const head = Buffer.allocUnsafe(XERIAL_HEADER.length + 4)
  XERIAL_HEADER.copy(head, 0)
  head.writeInt32BE(block.length, XERIAL_HEADER.length)
  return [head, block]
}

/** Largest block of the frame (its BD byte says 4 MiB): a section is cut into blocks of this size. */
const LZ4_BLOCK_BYTES = 4 * 1024 * 1024
/**
 * The LZ4 frame header: magic, FLG 0x60 (version 1, independent blocks as Kafka requires, no
 * checksums, no content size), BD 0x70 (4 MiB blocks) and the header checksum (xxh32 of FLG and
 * BD, second byte), the same as lz4-napi's frame encoder writes.
 */
const LZ4_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73])
const LZ4_END = Buffer.alloc(4)
/** A block's size field with this bit set: the block is stored uncompressed. */
const LZ4_UNCOMPRESSED = 0x80000000

/**
 * An LZ4 frame of `data` from `compressBlock` (lz4-napi's `compressSync`: the uncompressed size
 * as an int32 LE, then one raw block), whose size field is overwritten with the block's own
 * size, which is what a frame carries there. A block that does not shrink is stored as it is.
 */
function lz4Frame (data: Buffer, compressBlock: (data: Uint8Array) => Buffer): Compressed {
  const parts: Buffer[] = [LZ4_HEADER]
  for (let at = 0; at < data.length; at += LZ4_BLOCK_BYTES) {
    const piece = data.subarray(at, at + LZ4_BLOCK_BYTES)
    const out = compressBlock(piece)
    if (out.length - 4 < piece.length) {
      out.writeUInt32LE(out.length - 4, 0)
      parts.push(out)
    } else {
      const raw = Buffer.allocUnsafe(4 + piece.length)
      raw.writeUInt32LE((piece.length | LZ4_UNCOMPRESSED) >>> 0, 0)
      piece.copy(raw, 4)
      parts.push(raw)
    }
  }
  parts.push(LZ4_END)
  return parts
}
