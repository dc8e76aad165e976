// --dry-run: a transport that connects (Kafka metadata from the brokers, Kinesis shards from
// ListShards), so records are checked, batched and placed exactly as in a real run, and never
// sends. Each send() counts where its records would land and answers as if delivered without a
// position (so the accounting and exit code of a real run apply); the summary's `dryRun` holds
// the counts per partition or shard and their skew.

import type { Batch } from '../batch/batch.ts'
import type { InputRecord } from '../record.ts'
import { targetName, type DeliveredRun, type DryRunPlacement as Placement, type Router, type SendResult, type Topology, type Transport, type TransportLimits } from './transport.ts'

/** Where a record of a batch sent to `partition` lands: a partition number or a shard id, as text. */
export type PlaceOf = (record: InputRecord, partition: number) => string

export class DryRunTransport implements Transport {
  readonly #inner: Transport
  readonly #placeOf: PlaceOf
  readonly #unit: Placement['unit']
  readonly #everyPlace: (topology: Topology) => readonly string[]
  readonly #counts = new Map<string, number>()
  #topology: Topology = { partitions: [] }
  #router: Router | null = null

  /** `everyPlace`: every partition or shard of the target, after connect(), so empty ones show too. */
  constructor (inner: Transport, unit: Placement['unit'], placeOf: PlaceOf, everyPlace: (topology: Topology) => readonly string[]) {
    this.#inner = inner
    this.#unit = unit
    this.#placeOf = placeOf
    this.#everyPlace = everyPlace
  }

  get kind (): Transport['kind'] { return this.#inner.kind }
  get target (): string { return this.#inner.target }
  get limits (): TransportLimits { return this.#inner.limits }
  get retriesKeepPartition (): boolean { return this.#inner.retriesKeepPartition ?? false }
  get notes (): readonly string[] {
    const to = this.#router === null ? `'${this.target}'` : targetName(this.#router)
    return [...this.#inner.notes, `dry run: nothing was sent to ${to}; delivered counts the records placed (summary dryRun)`]
  }

  /** The target's own router: records are refused, placed and batched exactly as in a real run. */
  router (topology: Topology): Router {
    this.#router = this.#inner.router(topology)
    return this.#router
  }

  async connect (): Promise<Topology> {
    this.#topology = await this.#inner.connect()
    return this.#topology
  }

  send (batch: Batch, partition: number): Promise<SendResult> {
    const records = batch.records
    const places = new Array<string>(records.length)
    for (let k = 0; k < records.length; k++) {
      const place = this.#placeOf(records[k] as InputRecord, partition)
      places[k] = place
      this.#counts.set(place, (this.#counts.get(place) ?? 0) + 1)
    }
    const run: DeliveredRun = {
      kind: 'run',
      count: records.length,
      at: () => ({ partition, position: null }),
      shardId: (k) => this.#unit === 'shard' ? places[k] : undefined
    }
    return Promise.resolve({ response: null, error: null, records: run })
  }

  close (): Promise<void> { return this.#inner.close() }

  placement (): Placement {
    return placementOf(this.#unit, this.#counts, this.#everyPlace(this.#topology))
  }
}

/**
 * Records per partition or shard (every one of the target's, zeros included) and the skew: the
 * busiest one's count over the mean, so 1 is perfectly even and N means all in one of N.
 */
export function placementOf (unit: Placement['unit'], counts: ReadonlyMap<string, number>, everyPlace: readonly string[]): Placement {
  const records: Record<string, number> = {}
  const places = [...new Set([...everyPlace, ...counts.keys()])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  for (const place of places) records[place] = counts.get(place) ?? 0
  const values = Object.values(records)
  const total = values.reduce((a, b) => a + b, 0)
  const mean = values.length === 0 ? 0 : total / values.length
  const skew = mean === 0 ? null : Math.round(Math.max(...values) / mean * 1000) / 1000
  return { unit, records, skew }
}
