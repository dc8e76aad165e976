// A TLS front for a local emulator, as AWS serves Kinesis: HTTPS on a loopback port, HTTP/2 or
// HTTP/1.1 as the client asks (the AWS SDK's Kinesis client speaks HTTP/2 over TLS, kprod's own
// HTTP/1.1), each request forwarded to the emulator's plain HTTP/1.1 port and its answer sent
// back. Its certificate (test/fixtures/tls, self-signed, for 127.0.0.1 and localhost) is trusted
// by a kprod child given `TLS_TEST_CA_ENV`, and by nothing else.

import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { ROOT } from './kafka.ts'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'tls')

/** Makes a node child trust the proxy's certificate (node reads it at start). */
export const TLS_TEST_CA_ENV: Readonly<Record<string, string>> = Object.freeze({ NODE_EXTRA_CA_CERTS: join(FIXTURES, 'localhost.crt') })

export interface TlsProxy {
  /** https://127.0.0.1:PORT */
  readonly url: string
  /** The HTTP version of each request forwarded ('1.1' or '2.0'). */
  readonly versions: readonly string[]
  close (): Promise<void>
}

// HTTP/2 has no connection-specific headers; HTTP/1.1 needs a Host.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'host'])

/** Listens for HTTPS on a free loopback port and forwards to http://127.0.0.1:`targetPort`. */
export async function tlsProxy (targetPort: number): Promise<TlsProxy> {
  const versions: string[] = []
  const server = createSecureServer({
    key: readFileSync(join(FIXTURES, 'localhost.key')),
    cert: readFileSync(join(FIXTURES, 'localhost.crt')),
    allowHTTP1: true
  }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
    versions.push(req.httpVersion)
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (!name.startsWith(':') && !HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value
    }
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...headers, host: `127.0.0.1:${targetPort}` } }, (answer) => {
      const back: Record<string, string | string[]> = {}
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) back[name] = value
      res.writeHead(answer.statusCode ?? 502, back)
      answer.pipe(res)
    })
    upstream.on('error', () => { res.destroy() })
    req.pipe(upstream)
  })
  // A handshake the client refuses (an untrusted certificate) is not the proxy's error.
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    versions,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()) })
  }
}
