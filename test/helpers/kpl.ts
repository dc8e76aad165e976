// AWS's own de-aggregation (npm aws-kinesis-agg, the module AWS publishes for the KPL format), typed
// for the tests: a Kinesis record's data in, its user records out. Its .d.ts needs the aws-sdk v2
// and aws-lambda types, so it is loaded through require with the small shape used here.

import { createRequire } from 'node:module'

interface AggUserRecord {
  readonly partitionKey: string
  readonly explicitPartitionKey?: string
  readonly subSequenceNumber: number
  /** base64 */
  readonly data: string
}

interface AwsKinesisAgg {
  deaggregateSync (record: { data: string, partitionKey: string, sequenceNumber: string }, computeChecksums: boolean,
    done: (err: Error | null | undefined, records?: AggUserRecord[]) => void): void
}

const agg = createRequire(import.meta.url)('aws-kinesis-agg') as AwsKinesisAgg

export interface UserRecord {
  readonly partitionKey: string
  readonly explicitHashKey: string | undefined
  readonly subSequenceNumber: number
  readonly data: Buffer
}

/** The user records of one Kinesis record (itself, when it is not aggregated), checksum checked. */
export function deaggregate (data: Buffer, partitionKey: string, sequenceNumber = '0'): UserRecord[] {
  let out: UserRecord[] | null = null
  let error: Error | null = null
  agg.deaggregateSync({ data: data.toString('base64'), partitionKey, sequenceNumber }, true, (err, records) => {
    if (err !== null && err !== undefined) error = err
    else out = (records ?? []).map((r) => ({ partitionKey: r.partitionKey, explicitHashKey: r.explicitPartitionKey, subSequenceNumber: r.subSequenceNumber, data: Buffer.from(r.data, 'base64') }))
  })
  if (error !== null) throw error
  if (out === null) throw new Error('aws-kinesis-agg called back asynchronously')
  return out
}
