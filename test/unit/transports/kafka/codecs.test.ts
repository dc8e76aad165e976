// The codecs of the wire client, decoded by the other side of each library: gzip and zstd by
// node:zlib, lz4 frames by lz4-napi's frame decoder, snappy by parsing xerial's framing and
// decompressing its chunk. The broker and kcat reading them back are in the integration suite.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { compress as compressParts, type Codec } from '../../../../src/transports/kafka/wire/codecs.ts'

const require = createRequire(import.meta.url)
const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i} \u00e9\n`).join(''))
const { decompressFrameSync } = require('lz4-napi') as { decompressFrameSync: (b: Buffer) => Buffer }

/** The section as the request carries it: its pieces one after the other. */
async function compress (codec: Exclude<Codec, 'none'>, section: Buffer): Promise<Buffer> {
  return Buffer.concat(await compressParts(codec, section))
}

test('gzip and zstd round-trip through node:zlib', async () => {
  assert.deepEqual(gunzipSync(await compress('gzip', data)), data)
  const zstd = await compress('zstd', data)
  assert.equal(zstd.readUInt32LE(0), 0xfd2fb528, 'a zstd frame magic')
  assert.deepEqual(zstdDecompressSync(zstd), data)
})

test('lz4 is an LZ4 frame (magic 0x184D2204) of independent blocks that lz4-napi decodes', async () => {
  const lz4 = await compress('lz4', data)
  assert.equal(lz4.readUInt32LE(0), 0x184d2204)
  assert.equal(lz4[4]! & 0x20, 0x20, 'FLG: blocks independent, as Kafka requires')
  assert.deepEqual(decompressFrameSync(lz4), data)
})

test('lz4 cuts a section over 4 MiB into blocks and stores a block that does not shrink as it is', async () => {
  const random = randomBytes(5 * 1024 * 1024)
  const lz4 = await compress('lz4', random)
  const first = lz4.readUInt32LE(7)
  assert.equal(first, (0x80000000 | (4 * 1024 * 1024)) >>> 0, 'the first block: 4 MiB, stored uncompressed')
  assert.deepEqual(decompressFrameSync(lz4), random)
  const twice = Buffer.concat([data, data, data])
  assert.deepEqual(decompressFrameSync(await compress('lz4', twice)), twice)
})

test('snappy is xerial-framed: magic, version 1, compatible 1, then length-prefixed raw snappy chunks', async () => {
  const framed = await compress('snappy', data)
  assert.deepEqual(framed.subarray(0, 8), Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0]))
  assert.equal(framed.readInt32BE(8), 1)
  assert.equal(framed.readInt32BE(12), 1)
  const { uncompressSync } = require('snappy') as { uncompressSync: (b: Buffer) => Buffer }
  const parts: Buffer[] = []
  for (let at = 16; at < framed.length;) {
    const n = framed.readInt32BE(at)
    parts.push(uncompressSync(framed.subarray(at + 4, at + 4 + n)))
    at += 4 + n
  }
  assert.deepEqual(Buffer.concat(parts), data)
})
