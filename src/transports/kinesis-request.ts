// The PutRecords request body for --kinesis-client http: JSON written into one Buffer straight
// from the bytes each line was read into.

import { LineRecord, recordValueBytes, type InputRecord } from '../record.ts'

/** One PutRecords call: the records' values go as Data, keys[i] as record i's PartitionKey. */
export interface PutRecordsCall {
  readonly stream: string
  readonly records: readonly InputRecord[]
  readonly keys: readonly string[]
  /** Each key is also the record's ExplicitHashKey (check() let only decimal keys through). */
  readonly explicitHashKeys: boolean
}

/**
 * The PutRecords request as JSON in one Buffer: each record's value is base64 straight from the
 * bytes it was read into (no view, no entry object), partition keys and the stream name JSON-escaped.
 */
export function encodePutRecords (call: PutRecordsCall): Buffer {
  const { records } = call
  const stream = JSON.stringify(call.stream)
  const keys = new Array<string>(records.length)
  let size = 32 + Buffer.byteLength(stream)
  for (let i = 0; i < records.length; i++) {
    const key = JSON.stringify(call.keys[i] ?? '')
    keys[i] = key
    size += 64 + Math.ceil(recordValueBytes(records[i]!) / 3) * 4 + (call.explicitHashKeys ? 6 : 3) * key.length
  }
  const body = Buffer.allocUnsafe(size)
  let at = body.write(`{"StreamName":${stream},"Records":[`, 0, 'utf8')
  for (let i = 0; i < records.length; i++) {
    at += body.write(i === 0 ? '{"Data":"' : ',{"Data":"', at, 'latin1')
    at += body.write(base64Value(records[i]!), at, 'latin1')
    at += body.write('","PartitionKey":', at, 'latin1')
    at += body.write(keys[i]!, at, 'utf8')
    if (call.explicitHashKeys) {
      at += body.write(',"ExplicitHashKey":', at, 'latin1')
      at += body.write(keys[i]!, at, 'utf8')
    }
    at += body.write('}', at, 'latin1')
  }
  at += body.write(']}', at, 'latin1')
  return body.subarray(0, at)
}

function base64Value (record: InputRecord): string {
  return record instanceof LineRecord ? record.bytes.toString('base64', record.valueStart, record.end) : record.value.toString('base64')
}
