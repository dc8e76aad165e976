// Pure key → partition functions. murmur2 matches the Java client's Utils.murmur2 bit for bit, so
// keyed records land where Java, kafkajs's default and librdkafka's murmur2_random put them; fnv1a
// matches the Go seed's HashPartitioner. Nothing here allocates except the small result object.

import { ANY_PARTITION } from '../../batch/batch.ts'
import { KprodError } from '../../errors.ts'

export type PartitionerName = 'murmur2' | 'fnv1a'

/** Where a record goes, and whether the producer may move it (see Batch.pinned). */
export interface PartitionChoice {
  /** A partition id in 0..partitionCount-1, an explicit partition, or ANY_PARTITION. */
  readonly partition: number
  /** True when a key or an explicit partition decided `partition`: it must not be re-routed. */
  readonly pinned: boolean
}

const MURMUR_SEED = 0x9747b28c
const MURMUR_M = 0x5bd1e995
const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

// Shared because every unkeyed murmur2 record gets the same answer: no allocation on that path.
const ANY: PartitionChoice = Object.freeze({ partition: ANY_PARTITION, pinned: false })

/**
 * The Java client's `Utils.murmur2`: 32-bit MurmurHash2, seed 0x9747b28c, little-endian 4-byte
 * blocks, tail bytes folded in from the highest down. Returns a signed 32-bit integer like Java's int.
 */
export function murmur2 (data: Buffer): number {
  const length = data.length
  let h = (MURMUR_SEED ^ length) | 0
  const blocks = length & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, MURMUR_M)
    k ^= k >>> 24
    k = Math.imul(k, MURMUR_M)
    h = Math.imul(h, MURMUR_M) ^ k
  }
  // Java's switch falls through 3 → 2 → 1; the ifs below are the same cascade.
  const tail = length & 3
  if (tail === 3) h ^= data[blocks + 2]! << 16
  if (tail >= 2) h ^= data[blocks + 1]! << 8
  if (tail >= 1) h = Math.imul(h ^ data[blocks]!, MURMUR_M)
  h ^= h >>> 13
  h = Math.imul(h, MURMUR_M)
  h ^= h >>> 15
  return h | 0
}

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs, which differs for MIN_VALUE). */
export function toPositive (n: number): number {
  return n & 0x7fffffff
}

/** 32-bit FNV-1a, unsigned. A null key hashes like an empty one, as in the seed. */
export function fnv1a32 (data: Buffer | null): number {
  let h = FNV_OFFSET
  if (data !== null) {
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, FNV_PRIME)
  }
  return h >>> 0
}

/** The Java DefaultPartitioner / BuiltInPartitioner for a keyed record. */
export function murmur2Partition (key: Buffer, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount
}

/** The seed's HashPartitioner: unsigned FNV-1a modulo the partition count (null key included). */
export function fnv1aPartition (key: Buffer | null, partitionCount: number): number {
  return fnv1a32(key) % partitionCount
}

/**
 * Picks the partition for one record. An explicit partition wins; a key is hashed over all
 * `partitionCount` partitions of the topic; an unkeyed record goes to ANY_PARTITION (the producer
 * round-robins) under murmur2, but is hashed like an empty key under fnv1a, as the seed does.
 *
 * Returns an object rather than a number plus a separate pinned rule: the caller needs both, and
 * one function keeps the rule in one place. The unkeyed path returns a shared frozen object; the
 * keyed path costs a few ns more than murmur2Partition alone (bench/README.md, "Figures behind constants in src/"), which callers that want a
 * bare number can use directly.
 */
export function choosePartition (kind: PartitionerName, key: Buffer | null, partitionCount: number, explicit: number | null): PartitionChoice {
  if (explicit !== null) return { partition: explicit, pinned: true }
  if (kind === 'murmur2') {
    if (key === null) return ANY
    return { partition: murmur2Partition(key, checkCount(partitionCount)), pinned: true }
  }
  return { partition: fnv1aPartition(key, checkCount(partitionCount)), pinned: true }
}

// `x % 0` is NaN, which would silently become a batch for no partition at all.
function checkCount (partitionCount: number): number {
  if (partitionCount > 0) return partitionCount
  throw new KprodError('KPROD_INTERNAL', `Cannot choose a partition: the topic has ${partitionCount} partitions`)
}
