// Partition keys and key → shard mapping, checked against MD5 values computed here with node:crypto
// and a hand-made range table, including boundaries that only the low 64 bits decide.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { ANY_PARTITION } from '../../../../src/batch/batch.ts'
import type { InputRecord } from '../../../../src/record.ts'
import { ShardMap, keyProblem, lineHashKey, openShardRanges, partitionKeyTexts, partitionKeys, shardIndexOf, type ShardRange } from '../../../../src/transports/kinesis/shards.ts'
import { evenShards, shard } from '../../../helpers/fake-put-records.ts'

const md5 = (key: string | Buffer): bigint => BigInt('0x' + createHash('md5').update(key).digest('hex'))
const Q = 1n << 126n

// Four shards with uneven, hand-picked boundaries (not on 2^64 multiples).
const TABLE: ShardRange[] = [
  { shardId: 'shardId-000000000000', index: 0, start: 0n, end: Q - 12345n },
  { shardId: 'shardId-000000000001', index: 1, start: Q - 12344n, end: 2n * Q + 987654321n },
  { shardId: 'shardId-000000000002', index: 2, start: 2n * Q + 987654322n, end: 3n * Q },
  { shardId: 'shardId-000000000003', index: 3, start: 3n * Q + 1n, end: 4n * Q - 1n }
]

function expected (h: bigint): number {
  return (TABLE.find((r) => r.start <= h && h <= r.end) as ShardRange).index
}

test('ShardMap.shardFor puts a key on the shard whose range holds its MD5', () => {
  const map = new ShardMap(TABLE)
  const keys = ['a', 'b', 'user-1', 'user-2', 'order-77', '', 'é中', '🙂', 'x'.repeat(256)]
  for (let i = 0; i < 200; i++) keys.push(`k${i}`)
  const seen = new Set<number>()
  for (const key of keys) {
    const want = expected(md5(key))
    seen.add(want)
    assert.equal(map.shardFor(key), want, `key ${JSON.stringify(key)}`)
    assert.equal(map.shardFor(Buffer.from(key)), want, `key bytes ${JSON.stringify(key)}`)
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3])
})

test('ShardMap.shardFor decides on the low words when a key hashes to a range boundary', () => {
  const keys = ['a', 'user-1', 'order-77']
  for (const key of keys) {
    const h = md5(key)
    // The key's hash is exactly the start of shard 1, then exactly the end of shard 0.
    const atStart = new ShardMap([
      { shardId: 'a', index: 0, start: 0n, end: h - 1n },
      { shardId: 'b', index: 1, start: h, end: (1n << 128n) - 1n }
    ])
    const atEnd = new ShardMap([
      { shardId: 'a', index: 0, start: 0n, end: h },
      { shardId: 'b', index: 1, start: h + 1n, end: (1n << 128n) - 1n }
    ])
    assert.equal(atStart.shardFor(key), 1, key)
    assert.equal(atEnd.shardFor(key), 0, key)
  }
})

test('ShardMap.shardFor returns ANY_PARTITION when no open shard holds the hash', () => {
  const h = md5('a')
  const map = new ShardMap([{ shardId: 'a', index: 5, start: h + 1n, end: (1n << 128n) - 1n }])
  assert.equal(map.shardFor('a'), ANY_PARTITION)
})

test('ShardMap matches even CreateStream splits for 1, 3 and 8 shards', () => {
  for (const count of [1, 3, 8]) {
    const map = new ShardMap(openShardRanges(evenShards(count)))
    for (let i = 0; i < 100; i++) {
      const key = `key-${i}`
      assert.equal(map.shardFor(key), Number(md5(key) * BigInt(count) >> 128n), `${count} shards, ${key}`)
    }
  }
})

test('ShardMap.partitions and indexOfShard come from the shard ids', () => {
  const map = new ShardMap(openShardRanges(evenShards(3)))
  assert.deepEqual(map.partitions, [0, 1, 2])
  assert.equal(map.indexOfShard('shardId-000000000002'), 2)
  assert.equal(map.indexOfShard('shardId-000000000009'), null)
})

test('shardIndexOf parses standard shard ids only', () => {
  const cases: [string, number | null][] = [
    ['shardId-000000000003', 3],
    ['shardId-000000000000', 0],
    ['shardId-000000001234', 1234],
    ['shard-3', null],
    ['shardId-', null],
    ['', null]
  ]
  for (const [id, want] of cases) assert.equal(shardIndexOf(id), want, id)
})

test('openShardRanges leaves out closed shards and keeps shard-id numbers as indexes', () => {
  const half = 1n << 127n
  const ranges = openShardRanges([
    shard(0, 0n, (1n << 128n) - 1n, true),
    shard(2, half, (1n << 128n) - 1n),
    shard(1, 0n, half - 1n)
  ])
  assert.deepEqual(ranges.map((r) => [r.shardId, r.index]), [['shardId-000000000001', 1], ['shardId-000000000002', 2]])
})

test('openShardRanges numbers shards by rank when their ids are not standard', () => {
  const ranges = openShardRanges([
    { ...shard(0, 1n << 127n, (1n << 128n) - 1n), ShardId: 'second' },
    { ...shard(0, 0n, (1n << 127n) - 1n), ShardId: 'first' }
  ])
  assert.deepEqual(ranges.map((r) => [r.shardId, r.index]), [['first', 0], ['second', 1]])
})

test('openShardRanges rejects a hash key that is not a 128-bit number', () => {
  assert.throws(() => openShardRanges([{ ...shard(0, 0n, 1n), HashKeyRange: { StartingHashKey: '-1', EndingHashKey: '5' } }]), /invalid hash key/)
  assert.throws(() => openShardRanges([shard(0, 0n, 1n << 128n)]), /invalid hash key/)
})

function rec (line: string, key: string | null): InputRecord {
  return { line: Buffer.from(line), key: key === null ? null : Buffer.from(key), value: Buffer.from(line), lineNo: 1, readAt: 0 }
}

const keyTexts = partitionKeyTexts

test('partitionKeys uses the record key as UTF-8 text', () => {
  const keys = partitionKeys([rec('x', 'é中🙂'), rec('y', 'k')], 'random', () => { throw new Error('not needed') })
  assert.deepEqual(keyTexts(keys, 2), ['é中🙂', 'k'])
  assert.equal(keys.random, null)
})

test('partitionKeys gives an unkeyed record the hex MD5 of its line in hash mode', () => {
  const keys = keyTexts(partitionKeys([rec('hello', null), rec('hello', null), rec('other', null)], 'hash', () => Buffer.alloc(0)), 3)
  assert.equal(keys[0], createHash('md5').update('hello').digest('hex'))
  assert.equal(keys[1], keys[0])
  assert.notEqual(keys[2], keys[0])
  assert.equal(lineHashKey(Buffer.from('hello')), keys[0])
})

test('partitionKeys draws 32 random hex characters per unkeyed record from one randomBytes call, kept as bytes', () => {
  const sizes: number[] = []
  const bytes = Buffer.from([...Array(48).keys()])
  const mixed = partitionKeys([rec('a', null), rec('b', 'k'), rec('c', null)], 'random', (n) => { sizes.push(n); return bytes.subarray(0, n) })
  assert.deepEqual(sizes, [48])
  const keys = keyTexts(mixed, 3)
  assert.equal(keys[0], bytes.subarray(0, 16).toString('hex'))
  assert.equal(keys[1], 'k')
  assert.equal(keys[2], bytes.subarray(32, 48).toString('hex'))
  assert.match(keys[0] as string, /^[0-9a-f]{32}$/)
  // No text at all when every key is generated.
  const random = partitionKeys([rec('a', null), rec('b', null)], 'random', (n) => bytes.subarray(0, n))
  assert.equal(random.text, null)
  assert.deepEqual(keyTexts(random, 2), [bytes.subarray(0, 16).toString('hex'), bytes.subarray(16, 32).toString('hex')])
})

test('keyProblem accepts 1 to 256 characters of valid UTF-8 and names every other case', () => {
  const cases: [string, Buffer, RegExp | null][] = [
    ['empty', Buffer.alloc(0), /partition key is empty; Kinesis needs 1 to 256 characters/],
    ['one character', Buffer.from('a'), null],
    ['256 ASCII characters', Buffer.from('k'.repeat(256)), null],
    ['257 ASCII characters', Buffer.from('k'.repeat(257)), /^partition key is 257 characters, over Kinesis's 256$/],
    ['256 two-byte characters (512 bytes)', Buffer.from('é'.repeat(256)), null],
    ['256 three-byte characters (768 bytes)', Buffer.from('中'.repeat(256)), null],
    ['257 three-byte characters', Buffer.from('中'.repeat(257)), /partition key is 257 characters/],
    ['128 emoji (two UTF-16 units each)', Buffer.from('🙂'.repeat(128)), null],
    ['129 emoji', Buffer.from('🙂'.repeat(129)), /partition key is 258 characters/],
    ['invalid UTF-8', Buffer.from([0x6b, 0xff, 0x6b]), /partition key is not valid UTF-8/],
    ['truncated multi-byte sequence', Buffer.from([0xe4, 0xb8]), /not valid UTF-8/]
  ]
  for (const [name, key, want] of cases) {
    const got = keyProblem(key)
    if (want === null) assert.equal(got, null, name)
    else assert.match(got ?? '', want, name)
  }
})
