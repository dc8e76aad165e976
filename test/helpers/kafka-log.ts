// Reads the record batch headers a local broker stored on disk (its partition's segment files),
// to check what kcat cannot show: the codec a batch was written with and its idempotent
// producer id, epoch and base sequence. Only for clusters of scripts/local-kafka, whose data
// folders are under their state folder.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, type Cluster } from './kafka.ts'

export interface StoredBatch {
  readonly baseOffset: bigint
  readonly records: number
  /** Codec id of the attributes: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly codec: number
  readonly producerId: bigint
  readonly epoch: number
  readonly baseSequence: number
  /** The whole batch's size on disk, header included. */
  readonly bytes: number
}

/** Whether the batches of `cluster` can be read from disk here (not for KPROD_TEST_KAFKA_BROKERS clusters). */
export function hasLocalLog (cluster: Cluster): boolean {
  const external = process.env.KPROD_TEST_KAFKA_BROKERS
  return cluster.home !== null || external === undefined || external === ''
}

/** Every batch of topic-partition on every node's disk (the leader's copy first found), by base offset. */
export function storedBatches (cluster: Cluster, topic: string, partition: number): StoredBatch[] {
  const run = join(cluster.home ?? join(ROOT, '.local'), 'kafka-run')
  for (const node of readdirSync(run).filter((n) => n.startsWith('node-')).sort()) {
    const dir = join(run, node, 'data', `${topic}-${partition}`)
    if (!existsSync(dir)) continue
    const batches: StoredBatch[] = []
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.log')).sort()) {
      const data = readFileSync(join(dir, file))
      for (let at = 0; at + 61 <= data.length;) {
        const length = data.readInt32BE(at + 8)
        if (length <= 0 || at + 12 + length > data.length) break
        batches.push({
          baseOffset: data.readBigInt64BE(at),
          codec: data.readInt16BE(at + 21) & 7,
          producerId: data.readBigInt64BE(at + 43),
          epoch: data.readInt16BE(at + 51),
          baseSequence: data.readInt32BE(at + 53),
          records: data.readInt32BE(at + 57),
          bytes: 12 + length
        })
        at += 12 + length
      }
    }
    return batches
  }
  throw new Error(`no data folder for ${topic}-${partition} under ${run}`)
}
