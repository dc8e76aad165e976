// OAUTHBEARER tokens for both Kafka clients, fetched anew at every (re-)authentication: from a
// file (rewritten by whatever refreshes it), from a command's stdout, or for Amazon MSK IAM from
// AWS's own signer (aws-msk-iam-sasl-signer-js) with the SDK's default credential chain. A
// failure is a KPROD_AUTH error that never carries the token.

import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { KprodError } from '../../errors.ts'
import { oidcToken } from './oidc-token.ts'
import type { TokenSource } from './security.ts'

export interface Token {
  readonly value: string
  /** Milliseconds since the epoch when known (MSK IAM), else null. */
  readonly expiresAt: number | null
  /** SASL extensions to send with the token (RFC 7628). */
  readonly extensions?: Readonly<Record<string, string>>
}

const COMMAND_TIMEOUT_MS = 30_000

export async function fetchToken (source: TokenSource, env: Readonly<Record<string, string | undefined>>, brokers: readonly string[]): Promise<Token> {
  switch (source.kind) {
    case 'file': {
      let text: string
      try {
        text = await readFile(source.path, 'utf8')
      } catch (err) {
        throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER): cannot read the token file '${source.path}' (--sasl-oauthbearer-token-file): ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
      }
      return { value: checked(text.trim(), `the token file '${source.path}'`), expiresAt: null }
    }
    case 'command':
      return { value: checked(await runCommand(source.command), 'the token command'), expiresAt: null }
    case 'aws-msk-iam':
      return await mskIamToken(source.region ?? regionOf(env, brokers))
    case 'oidc':
      return { ...await oidcToken(source.oidc), extensions: source.oidc.extensions }
  }
}

function checked (token: string, from: string): string {
  if (token === '') throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER): ${from} gave an empty token`)
  if (/\s/.test(token) || [...token].some((ch) => ch.charCodeAt(0) < 0x20)) throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER): ${from} gave more than one token (whitespace inside); print the token alone`)
  return token
}

function runCommand (command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) {
        resolve(stdout.trim())
        return
      }
      const why = err.killed ? `did not finish within ${COMMAND_TIMEOUT_MS} ms` : `exited with ${String(err.code ?? err.signal)}`
      const said = stderr.trim().split('\n')[0]?.slice(0, 200) ?? ''
      reject(new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER): the token command (--sasl-oauthbearer-token-command) ${why}${said === '' ? '' : ': ' + said}`))
    })
  })
}

/** The region MSK IAM signs for: AWS_REGION, AWS_DEFAULT_REGION, or an MSK broker's host name. */
export function regionOf (env: Readonly<Record<string, string | undefined>>, brokers: readonly string[]): string {
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  for (const b of brokers) {
    const m = /\.kafka(?:-serverless)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?:\d+$/.exec(b)
    if (m?.[1] !== undefined) return m[1]
  }
  throw new KprodError('KPROD_AUTH', 'authentication failed (OAUTHBEARER, AWS MSK IAM): no AWS region: set AWS_REGION, or give the MSK broker names (b-1.<cluster>.kafka.<region>.amazonaws.com)')
}

async function mskIamToken (region: string): Promise<Token> {
  const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js')
  try {
    const { token, expiryTime } = await generateAuthToken({ region })
    return { value: token, expiresAt: expiryTime }
  } catch (err) {
    throw new KprodError('KPROD_AUTH', `authentication failed (OAUTHBEARER, AWS MSK IAM): no AWS credentials from the default chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE, SSO, a role, instance metadata): ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}
