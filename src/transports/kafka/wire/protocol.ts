// Kafka wire primitives: a growable writer for small requests, a bounds-checked reader for
// responses, request headers (v1) and the zig-zag varints of record batches. Only the
// non-flexible (pre-KIP-482) encodings are here: kprod asks for request versions that use them.

export const API = {
  PRODUCE: 0,
  METADATA: 3,
  SASL_HANDSHAKE: 17,
  API_VERSIONS: 18,
  INIT_PRODUCER_ID: 22,
  DESCRIBE_CONFIGS: 32,
  SASL_AUTHENTICATE: 36
} as const

export class Writer {
  #buf: Buffer
  #at = 0

  constructor (size = 256) { this.#buf = Buffer.allocUnsafe(size) }

  #room (n: number): void {
    if (this.#at + n <= this.#buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + n))
    this.#buf.copy(next, 0, 0, this.#at)
    this.#buf = next
  }

  int8 (v: number): this { this.#room(1); this.#buf.writeInt8(v, this.#at); this.#at += 1; return this }
  int16 (v: number): this { this.#room(2); this.#buf.writeInt16BE(v, this.#at); this.#at += 2; return this }
  int32 (v: number): this { this.#room(4); this.#buf.writeInt32BE(v, this.#at); this.#at += 4; return this }
  bool (v: boolean): this { return this.int8(v ? 1 : 0) }

  /** A string with an int16 length; null as length -1. */
  string (v: string | null): this {
    if (v === null) return this.int16(-1)
    const n = Buffer.byteLength(v)
    this.int16(n)
    this.#room(n)
    this.#buf.write(v, this.#at)
    this.#at += n
    return this
  }

  /** Bytes with an int32 length. */
  bytes (v: Buffer): this {
    this.int32(v.length)
    this.#room(v.length)
    v.copy(this.#buf, this.#at)
    this.#at += v.length
    return this
  }

  /** An array with an int32 count; null as count -1. */
  array<T> (items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1)
    this.int32(items.length)
    for (const item of items) each(this, item)
    return this
  }

  /** The written bytes with the int32 size prefix filled in (the writer must have started with int32(0)). */
  framed (): Buffer {
    this.#buf.writeInt32BE(this.#at - 4, 0)
    return this.#buf.subarray(0, this.#at)
  }
}

/** Starts a request: size placeholder and header v1 (api key, version, correlation id, client id). */
export function requestHeader (api: number, version: number, correlationId: number, clientId: string): Writer {
  return new Writer().int32(0).int16(api).int16(version).int32(correlationId).string(clientId)
}

export class ProtocolError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ProtocolError'
  }
}

export class Reader {
  readonly #buf: Buffer
  #at: number

  constructor (buf: Buffer, at = 0) {
    this.#buf = buf
    this.#at = at
  }

  #need (n: number): number {
    const at = this.#at
    if (at + n > this.#buf.length) throw new ProtocolError(`response too short: needed ${n} bytes at offset ${at} of ${this.#buf.length}`)
    this.#at += n
    return at
  }

  int8 (): number { return this.#buf.readInt8(this.#need(1)) }
  int16 (): number { return this.#buf.readInt16BE(this.#need(2)) }
  int32 (): number { return this.#buf.readInt32BE(this.#need(4)) }
  /** An int64 as a decimal string (offsets and times can pass 2^53). */
  int64 (): string { return this.#buf.readBigInt64BE(this.#need(8)).toString() }
  bool (): boolean { return this.int8() !== 0 }

  string (): string {
    const s = this.nullableString()
    if (s === null) throw new ProtocolError('null where the protocol requires a string')
    return s
  }

  nullableString (): string | null {
    const n = this.int16()
    if (n < 0) return null
    const at = this.#need(n)
    return this.#buf.toString('utf8', at, at + n)
  }

  /** Bytes with an int32 length; null as length -1. */
  bytes (): Buffer | null {
    const n = this.int32()
    if (n < 0) return null
    const at = this.#need(n)
    return this.#buf.subarray(at, at + n)
  }

  array<T> (each: (r: this) => T): T[] {
    const n = this.int32()
    if (n < 0) return []
    if (n > this.#buf.length) throw new ProtocolError(`array count ${n} exceeds the response size`)
    const out = new Array<T>(n)
    for (let i = 0; i < n; i++) out[i] = each(this)
    return out
  }
}

/** Bytes of the zig-zag varint encoding of a safe integer. */
export function varintSize (v: number): number {
  let z = zigzag(v)
  if (z < 0x80) return 1
  if (z < 0x4000) return 2
  if (z < 0x200000) return 3
  let n = 3
  while (z >= 0x200000) { z = Math.floor(z / 128); n++ }
  return n
}

/** Writes the zig-zag varint of a safe integer at `at`; returns the offset after it. */
export function writeVarint (buf: Buffer, at: number, v: number): number {
  let z = zigzag(v)
  if (z < 0x80) {
    buf[at] = z
    return at + 1
  }
  while (z >= 128) {
    buf[at++] = (z % 128) | 128
    z = Math.floor(z / 128)
  }
  buf[at++] = z
  return at
}

/** Zig-zag mapping without 32-bit overflow: 0→0, -1→1, 1→2, … */
function zigzag (v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1
}
