// How a Kafka topic takes records (the Router both Kafka clients hand the core): a record goes
// to the partition its JSON line names, --partition, its key's hash (--partitioner) or, unkeyed,
// any idle partition; --partitions and --partition are checked against the topic's partitions.

import { ConfigError } from '../../errors.ts'
import { recordPartition, type InputRecord } from '../../record.ts'
import { choosePartition, type PartitionerName } from './partitioners.ts'
import { targetName, type Placement, type Router, type Topology } from '../transport.ts'

/** The routing flags of a Kafka run. */
export interface KafkaRouting {
  /** --partitioner: for keyed records. */
  readonly partitioner: PartitionerName
  /** --partition: every record goes there; null: chosen per record. */
  readonly partition: number | null
  /** --partitions: the partitions this run may write to; null: all of the topic's. */
  readonly partitions: readonly number[] | null
}

/** Every record placed by the default partitioner over all partitions: a run without routing flags. */
export const DEFAULT_ROUTING: KafkaRouting = { partitioner: 'murmur2', partition: null, partitions: null }

export function kafkaRouter (topic: string, routing: KafkaRouting, topology: Topology): Router {
  const named = { noun: 'topic', target: topic }
  const partitions = usablePartitions(topic, routing, topology)
  const count = topology.partitions.length
  const { partitioner, partition: explicit } = routing
  const allowedBy = routing.partitions === null ? '' : ' allowed by --partitions'
  return {
    ...named,
    partitionNoun: 'partition',
    partitions,
    sizeLimitName: `${targetName(named)} (max.message.bytes)`,
    batchRecordsNote: ' (max.message.bytes: the framing of that many records would leave too little room for data)',
    json: { nullValue: null, headers: null, partition: true },
    refuse: () => null,
    place (record: InputRecord): Placement | string {
      const own = recordPartition(record)
      if (own === undefined) return choosePartition(partitioner, record.key, count, explicit)
      // --format json named the partition: it must be one this run may write to.
      if (!partitions.includes(own)) return `line ${record.lineNo} names partition ${own}, not one of ${describeRange(partitions)} of ${targetName(named)}${allowedBy}`
      return { partition: own, pinned: true }
    }
  }
}

/**
 * The partitions the producer may use: --partitions (each must exist) or all of the topic's. A
 * --partition outside them is refused here too, at start, rather than failing every line later.
 */
function usablePartitions (topic: string, routing: KafkaRouting, topology: Topology): readonly number[] {
  const usable = routing.partitions ?? topology.partitions
  const problems: string[] = []
  const missing = routing.partitions?.filter((p) => !topology.partitions.includes(p)) ?? []
  if (missing.length > 0) problems.push(`--partitions: ${missing.join(',')} not in topic '${topic}', which has partitions ${describeRange(topology.partitions)}`)
  const pinned = routing.partition
  if (pinned !== null && !usable.includes(pinned)) {
    problems.push(topology.partitions.includes(pinned)
      ? `--partition: ${pinned} is not one of --partitions ${usable.join(',')}; allowed: one of those`
      : `--partition: ${pinned} is not in topic '${topic}', which has partitions ${describeRange(topology.partitions)}`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return usable
}

function describeRange (partitions: readonly number[]): string {
  if (partitions.length === 0) return '(none)'
  return `${partitions[0]}..${partitions[partitions.length - 1]}`
}
