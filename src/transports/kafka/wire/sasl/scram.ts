// SCRAM-SHA-256 and SCRAM-SHA-512 client (RFC 5802, as Kafka speaks it: no channel binding, no
// SASLprep, at least 4096 iterations), on node:crypto. Pure: it turns the server's messages into
// the client's and proves the server knew the password too.

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

export type ScramHash = 'sha256' | 'sha512'

/** Kafka's minimum; fewer would be a downgrade a client must refuse. */
const MIN_ITERATIONS = 4096

export class ScramError extends Error {}

export class ScramClient {
  readonly #hash: ScramHash
  readonly #password: string
  readonly #nonce: string
  readonly #clientFirstBare: string
  #serverSignature: Buffer | null = null

  constructor (hash: ScramHash, username: string, password: string, nonce = randomBytes(24).toString('base64url')) {
    this.#hash = hash
    this.#password = password
    this.#nonce = nonce
    this.#clientFirstBare = `n=${saslName(username)},r=${nonce}`
  }

  /** client-first-message: no channel binding (gs2 header "n,,"). */
  first (): Buffer {
    return Buffer.from('n,,' + this.#clientFirstBare)
  }

  /** client-final-message for the server-first-message. */
  final (serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8')
    const attrs = parseAttributes(text)
    const nonce = attrs.get('r')
    const salt = attrs.get('s')
    const iterations = Number(attrs.get('i'))
    if (attrs.has('e')) throw new ScramError(`the broker refused: ${attrs.get('e') ?? ''}`)
    if (nonce === undefined || salt === undefined || !Number.isSafeInteger(iterations)) throw new ScramError('unreadable server-first-message')
    if (!nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length) throw new ScramError('the server nonce does not extend the client nonce')
    if (iterations < MIN_ITERATIONS) throw new ScramError(`the broker asked for ${iterations} iterations, below the minimum ${MIN_ITERATIONS}`)
    const size = this.#hash === 'sha256' ? 32 : 64
    const salted = pbkdf2Sync(this.#password, Buffer.from(salt, 'base64'), iterations, size, this.#hash)
    const clientKey = this.#hmac(salted, 'Client Key')
    const storedKey = createHash(this.#hash).update(clientKey).digest()
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`
    const authMessage = `${this.#clientFirstBare},${text},${withoutProof}`
    const signature = this.#hmac(storedKey, authMessage)
    const proof = Buffer.alloc(size)
    for (let i = 0; i < size; i++) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0)
    this.#serverSignature = this.#hmac(this.#hmac(salted, 'Server Key'), authMessage)
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)
  }

  /** Checks the server-final-message: the broker must prove it knows the salted password. */
  verify (serverFinal: Buffer): void {
    const attrs = parseAttributes(serverFinal.toString('utf8'))
    if (attrs.has('e')) throw new ScramError(`the broker refused: ${attrs.get('e') ?? ''}`)
    const v = attrs.get('v')
    const expected = this.#serverSignature
    if (v === undefined || expected === null) throw new ScramError('unreadable server-final-message')
    const got = Buffer.from(v, 'base64')
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new ScramError('the broker\'s server signature is wrong: it does not know this user\'s credentials')
  }

  #hmac (key: Buffer, data: string): Buffer {
    return createHmac(this.#hash, key).update(data).digest()
  }
}

/** RFC 5802 saslname: '=' and ',' escaped. */
function saslName (name: string): string {
  return name.replaceAll('=', '=3D').replaceAll(',', '=2C')
}

function parseAttributes (text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of text.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) out.set(part[0] ?? '', part.slice(2))
  }
  return out
}
