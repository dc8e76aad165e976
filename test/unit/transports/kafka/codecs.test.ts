// The codecs of the wire client, decoded by the other side of each library: gzip and zstd by
// node:zlib, lz4 frames by lz4-napi's frame decoder, snappy by parsing xerial's framing and
// decompressing its chunk. The broker and kcat reading them back are in the integration suite.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { compress } from '../../../../src/transports/kafka/wire/codecs.ts'

const require = createRequire(import.meta.url)
const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i} \u00e9\n`).join(''))

test('gzip and zstd round-trip through node:zlib', async () => {
  assert.deepEqual(gunzipSync(await compress('gzip', data)), data)
  const zstd = await compress('zstd', data)
  assert.equal(zstd.readUInt32LE(0), 0xfd2fb528, 'a zstd frame magic')
  assert.deepEqual(zstdDecompressSync(zstd), data)
})

test('lz4 is an LZ4 frame (magic 0x184D2204)', async () => {
  const lz4 = await compress('lz4', data)
  assert.equal(lz4.readUInt32LE(0), 0x184d2204)
  const { decompressFrameSync } = require('lz4-napi') as { decompressFrameSync: (b: Buffer) => Buffer }
  assert.deepEqual(decompressFrameSync(lz4), data)
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
