// Positions as plain arrays, for tests that build or compare batch results.

import { PositionTable, type Positions } from '../../src/producer/positions.ts'
import type { RecordPosition } from '../../src/transports/transport.ts'

/** A Positions holding `list` (null: not delivered). */
export function positionsOf (list: ReadonlyArray<RecordPosition | null>): Positions {
  const table = new PositionTable(list.length)
  list.forEach((p, i) => { if (p !== null) table.set(i, p) })
  return table
}

/** Every record's position, in batch order. */
export function positionList (positions: Positions): Array<RecordPosition | null> {
  return Array.from({ length: positions.length }, (_, i) => positions.at(i))
}
