// Compressed input found by its magic bytes: gzip and zstd decompressed, anything else untouched.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import * as zlib from 'node:zlib'
import { ChunkPool } from '../../../src/input/chunk-pool.ts'
import { DecompressingChunks, sniffCodec } from '../../../src/input/decompress.ts'
import type { ChunkSource } from '../../../src/input/file-chunks.ts'

function source (pieces: Buffer[]): ChunkSource {
  return { destroy () {}, async * [Symbol.asyncIterator] () { yield * pieces } }
}

async function read (pieces: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = []
  for await (const p of new DecompressingChunks(source(pieces), new ChunkPool({ chunkBytes: 1024, maxFreeBytes: 0 }))) {
    out.push(Buffer.from(p instanceof Uint8Array ? p : p.bytes))
  }
  return Buffer.concat(out)
}

test('sniffCodec knows gzip and zstd by their magic bytes, and nothing shorter than 4 bytes', () => {
  assert.equal(sniffCodec(gzipSync('x')), 'gzip')
  assert.equal(sniffCodec(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd')
  assert.equal(sniffCodec(Buffer.from('plain text')), null)
  assert.equal(sniffCodec(Buffer.from([0x1f, 0x8b])), null)
})

test('plain pieces pass through as they are; gzip and zstd pieces come out decompressed, however they were cut', async () => {
  const text = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''))
  assert.deepEqual(await read([text.subarray(0, 10), text.subarray(10)]), text)
  const gz = gzipSync(text)
  assert.deepEqual(await read([gz.subarray(0, 7), gz.subarray(7, 100), gz.subarray(100)]), text)
  const zstd = (zlib as unknown as { zstdCompressSync: (b: Buffer) => Buffer }).zstdCompressSync(text)
  assert.deepEqual(await read([zstd.subarray(0, 5), zstd.subarray(5)]), text)
})

test('a corrupt compressed source is an error, not silent garbage', async () => {
  const gz = gzipSync(Buffer.from('hello\n'.repeat(100)))
  gz[gz.length - 5] = (gz[gz.length - 5] as number) ^ 0xff
  await assert.rejects(read([gz]))
})
