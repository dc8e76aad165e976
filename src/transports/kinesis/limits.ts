// What one Kinesis PutRecords call takes: the only copy of these limits, read by the transport,
// the option validation and the transport factory.

/** Most records in one PutRecords call. */
export const MAX_BATCH_RECORDS = 500
/** Most bytes in one PutRecords call: data and partition keys together (5 MiB). */
export const MAX_BATCH_BYTES = 5 * 1024 * 1024
