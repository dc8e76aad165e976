import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChunkPool, POISON_BYTE, releaseDelivered } from '../../../src/input/chunk-pool.ts'
import { LineRecord } from '../../../src/record.ts'

test('take() gives chunkBytes, or chunkBytes doubled until the request fits', () => {
  const pool = new ChunkPool({ chunkBytes: 64, maxFreeBytes: 1024 })
  assert.equal(pool.take(1).memory.length, 64)
  assert.equal(pool.take(64).memory.length, 64)
  assert.equal(pool.take(65).memory.length, 128)
  assert.equal(pool.take(1000).memory.length, 1024)
})

test('memory comes back when the last holder lets go, and is handed out again', () => {
  const pool = new ChunkPool({ chunkBytes: 64, maxFreeBytes: 1024 })
  const chunk = pool.take(10)
  chunk.retain()
  chunk.retain()
  chunk.release()
  chunk.release()
  assert.equal(pool.freeBytes, 0, 'still held once (by its taker)')
  chunk.release()
  assert.equal(pool.freeBytes, 64)
  assert.equal(pool.take(10).memory, chunk.memory, 'the same memory, reused')
  assert.equal(pool.freeBytes, 0)
  assert.notEqual(pool.take(10).memory, chunk.memory, 'nothing free: fresh memory')
})

test('sizes are kept apart, and memory beyond maxFreeBytes is left to the GC', () => {
  const pool = new ChunkPool({ chunkBytes: 64, maxFreeBytes: 192 })
  const small = pool.take(1)
  const big = pool.take(100)
  const third = pool.take(1)
  big.release()
  small.release()
  third.release()
  assert.equal(pool.freeBytes, 192, 'the third 64 would pass 192')
  assert.equal(pool.take(100).memory, big.memory)
  assert.equal(pool.take(1).memory, small.memory)
})

test('a chunk released more often than held, or retained once free, is an internal error', () => {
  const pool = new ChunkPool({ chunkBytes: 64, maxFreeBytes: 1024 })
  const chunk = pool.take(1)
  chunk.release()
  assert.throws(() => chunk.release(), /released more often than it was held/)
  assert.throws(() => chunk.retain(), /retained after it went back to the pool/)
  assert.equal(pool.freeBytes, 64, 'given back once only')
})

test('with poison, memory is filled with 0xEE as it comes back', () => {
  const pool = new ChunkPool({ chunkBytes: 8, maxFreeBytes: 64, poison: true })
  const chunk = pool.take(1)
  chunk.memory.write('abcdefgh', 'latin1')
  const record = new LineRecord(chunk.memory, 0, -1, 0, 8, 1, 0, chunk)
  chunk.release()
  assert.equal(record.value.toString('latin1'), 'abcdefgh', 'the record still holds it')
  releaseDelivered([record, { line: Buffer.from('x'), key: null, value: Buffer.from('x'), lineNo: 2, readAt: 0 }])
  assert.ok(chunk.memory.every((b) => b === POISON_BYTE))
})
