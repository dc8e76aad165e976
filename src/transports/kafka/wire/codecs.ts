// Compresses the records section of a v2 record batch with the codec named in its attributes:
// gzip and zstd from node:zlib, snappy (xerial-framed, as the Java client writes it) from the
// `snappy` package and lz4 (the LZ4 frame format) from `lz4-napi`, both native napi-rs builds.
// Each library is loaded on its first batch: most runs never compress. gzip and lz4 run off the
// main thread; snappy and zstd run on it, as their asynchronous forms cost more than they save
// (bench/README.md, "Codecs and one line per process").

import { createRequire } from 'node:module'
import { KprodError } from '../../../errors.ts'

/** The codec ids of the batch attributes' low three bits (Kafka protocol, RecordBatch). */
export const CODECS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const
export type Codec = keyof typeof CODECS

/** The lowest Produce version a broker takes a codec in (zstd came with Produce v7, KIP-110). */
export const MIN_PRODUCE_VERSION: Readonly<Record<Codec, number>> = { none: 0, gzip: 0, snappy: 0, lz4: 0, zstd: 7 }

type Compress = (data: Buffer) => Promise<Buffer>

const loaded = new Map<Codec, Promise<Compress>>()

/** `data` compressed with `codec` (not 'none'). */
export function compress (codec: Exclude<Codec, 'none'>, data: Buffer): Promise<Buffer> {
  let compressor = loaded.get(codec)
  if (compressor === undefined) loaded.set(codec, compressor = load(codec))
  return compressor.then((c) => c(data))
}

async function load (codec: Exclude<Codec, 'none'>): Promise<Compress> {
  switch (codec) {
    case 'gzip':
    case 'zstd': {
      const [zlib, util] = await Promise.all([import('node:zlib'), import('node:util')])
      if (codec === 'gzip') return util.promisify(zlib.gzip)
      if (typeof zlib.zstdCompressSync !== 'function') throw missing(codec, 'node:zlib of Node >= 22.15')
      // Synchronous, and told the input size so zstd sizes its window and tables to one batch:
      // 1.05 s of CPU on W2 where the thread-pool form without the size took 1.26-1.45 s.
      return async (data) => zlib.zstdCompressSync(data, { pledgedSrcSize: data.length })
    }
    case 'snappy': {
      // Synchronous into a V8-owned buffer (`copyOutputData`): the asynchronous form copies through
      // napi tasks into external buffers that the collector frees late, which took 1.75 s of CPU
      // and 360 MB of RSS on W2 where this takes 1.0 s and 160 MB.
      const snappy = native<{ compressSync: (data: Uint8Array, options: { copyOutputData: boolean }) => Buffer }>('snappy', codec)
      return async (data) => xerial(snappy.compressSync(data, { copyOutputData: true }), data.length)
    }
    case 'lz4': {
      const lz4 = native<{ compressFrame: (data: Uint8Array) => Promise<Buffer> }>('lz4-napi', codec)
      return (data) => lz4.compressFrame(data)
    }
  }
}

function native<T> (name: string, codec: Codec): T {
  try {
    return createRequire(import.meta.url)(name) as T
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

function xerial (block: Buffer, uncompressed: number): Buffer {
  if (uncompressed === 0) return Buffer.from(XERIAL_HEADER)
  const out = Buffer.allocUnsafe(XERIAL_HEADER.length + 4 + block.length)
  XERIAL_HEADER.copy(out, 0)
  out.writeInt32BE(block.length, XERIAL_HEADER.length)
  block.copy(out, XERIAL_HEADER.length + 4)
  return out
}
