import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ANY_PARTITION } from '../../../../src/batch/batch.ts'
import { choosePartition, fnv1a32, fnv1aPartition, murmur2, murmur2Partition, toPositive } from '../../../../src/transports/kafka/partitioners.ts'
import type { PartitionerName } from '../../../../src/transports/kafka/partitioners.ts'

// apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
const JAVA_MURMUR2: ReadonlyArray<readonly [Buffer, number]> = [
  [Buffer.from('21'), -973932308],
  [Buffer.from('foobar'), -790332482],
  [Buffer.from('a-little-bit-long-string'), -985981536],
  [Buffer.from('a-little-bit-longer-string'), -1486304829],
  [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
  [Buffer.from([0x61, 0x62, 0x63]), 479470107]
]

for (const [data, expected] of JAVA_MURMUR2) {
  test(`murmur2 matches the Java client when hashing '${data.toString()}'`, () => {
    assert.equal(murmur2(data), expected)
  })
}

test('murmur2 reads a slice of a larger buffer, not the bytes around it', () => {
  const line = Buffer.from('xx21yy')
  assert.equal(murmur2(line.subarray(2, 4)), -973932308)
})

test('toPositive clears the sign bit like Java Utils.toPositive', () => {
  const cases: ReadonlyArray<readonly [number, number]> = [
    [0, 0], [5, 5], [-1, 0x7fffffff], [-2147483648, 0], [2147483647, 2147483647], [-973932308, 1173551340]
  ]
  for (const [input, expected] of cases) assert.equal(toPositive(input), expected, `toPositive(${input})`)
})

// Expected values were computed with kafkajs's Java-compatible default partitioner (its own
// murmur2 port) as an independent implementation: toPositive(murmur2(key)) % n.
const KEYED: ReadonlyArray<readonly [string, number, number]> = [
  ['foo', 3, 2], ['foo', 6, 2], ['foo', 10, 6], ['foo', 12, 8],
  ['bar', 3, 0], ['bar', 6, 3], ['bar', 10, 5], ['bar', 12, 9],
  ['hello', 10, 9], ['user-1002', 6, 5], ['user-1002', 12, 5],
  ['order-100', 10, 1], ['', 10, 1], ['', 12, 9], ['été', 10, 3]
]

for (const [key, partitions, expected] of KEYED) {
  test(`murmur2Partition puts key '${key}' on partition ${expected} of ${partitions}`, () => {
    assert.equal(murmur2Partition(Buffer.from(key), partitions), expected)
  })
}

test('murmur2Partition uses toPositive, not Math.abs, for a negative hash', () => {
  // murmur2('order-100') = -955961047; Math.abs would give 955961047 % 10 = 7.
  assert.equal(murmur2Partition(Buffer.from('order-100'), 10), 1)
})

test('fnv1a32 returns the standard FNV-1a 32-bit values', () => {
  assert.equal(fnv1a32(Buffer.alloc(0)), 0x811c9dc5)
  assert.equal(fnv1a32(Buffer.from('a')), 0xe40c292c)
  assert.equal(fnv1a32(Buffer.from('foobar')), 0xbf9cf968)
})

test('fnv1a32 hashes a null key like an empty key', () => {
  assert.equal(fnv1a32(null), fnv1a32(Buffer.alloc(0)))
})

// The seed's TestHashPartitioner, with 10 partitions.
for (const [key, expected] of [['foo', 3], ['bar', 2], [null, 1]] as const) {
  test(`fnv1aPartition puts key ${String(key)} on partition ${expected} of 10 as the seed does`, () => {
    assert.equal(fnv1aPartition(key === null ? null : Buffer.from(key), 10), expected)
  })
}

const CHOICES: ReadonlyArray<{
  name: string, kind: PartitionerName, key: string | null, count: number, explicit: number | null, partition: number, pinned: boolean
}> = [
  { name: 'an explicit partition wins over a murmur2 key', kind: 'murmur2', key: 'foo', count: 10, explicit: 7, partition: 7, pinned: true },
  { name: 'an explicit partition wins over a null key', kind: 'murmur2', key: null, count: 10, explicit: 0, partition: 0, pinned: true },
  { name: 'an explicit partition wins over an fnv1a key', kind: 'fnv1a', key: 'foo', count: 10, explicit: 4, partition: 4, pinned: true },
  { name: 'a murmur2 key is hashed over every partition', kind: 'murmur2', key: 'foo', count: 10, explicit: null, partition: 6, pinned: true },
  { name: 'an empty murmur2 key is a key, not a null key', kind: 'murmur2', key: '', count: 10, explicit: null, partition: 1, pinned: true },
  { name: 'a null key under murmur2 goes to any partition', kind: 'murmur2', key: null, count: 10, explicit: null, partition: ANY_PARTITION, pinned: false },
  { name: 'an fnv1a key is hashed like the seed', kind: 'fnv1a', key: 'foo', count: 10, explicit: null, partition: 3, pinned: true },
  { name: 'a null key under fnv1a is hashed like the seed', kind: 'fnv1a', key: null, count: 10, explicit: null, partition: 1, pinned: true }
]

for (const c of CHOICES) {
  test(`choosePartition: ${c.name}`, () => {
    const key = c.key === null ? null : Buffer.from(c.key)
    assert.deepEqual(choosePartition(c.kind, key, c.count, c.explicit), { partition: c.partition, pinned: c.pinned })
  })
}

test('choosePartition throws rather than return NaN when a keyed topic has no partitions', () => {
  assert.throws(() => choosePartition('murmur2', Buffer.from('foo'), 0, null), { code: 'KPROD_INTERNAL' })
  assert.throws(() => choosePartition('fnv1a', null, 0, null), { code: 'KPROD_INTERNAL' })
})

test('choosePartition needs no partition count for unkeyed murmur2 or explicit records', () => {
  assert.equal(choosePartition('murmur2', null, 0, null).partition, ANY_PARTITION)
  assert.equal(choosePartition('fnv1a', Buffer.from('foo'), 0, 2).partition, 2)
})
