// Unsigned base-128 varints (protobuf's and snappy's length prefix): seven bits a byte, low
// bits first, the top bit set on every byte but the last. Kafka's record fields are zig-zag
// varints instead, written by the Kafka wire client's protocol.ts.

/** Bytes of the varint of a non-negative safe integer. */
export function varintBytes (value: number): number {
  let n = 1
  while (value >= 0x80) {
    value = Math.floor(value / 128)
    n++
  }
  return n
}

/** Writes the varint of a non-negative safe integer at `at`; returns the offset after it. */
export function writeVarint (data: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    data[at++] = (value & 0x7f) | 0x80
    value = Math.floor(value / 128)
  }
  data[at++] = value
  return at
}
