// The SCRAM client against the SCRAM-SHA-256 example exchange of RFC 7677 section 3, and the
// checks a client must make of the server's messages.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ScramClient, ScramError } from '../../../../src/transports/kafka/wire/sasl/scram.ts'

const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'

test('SCRAM-SHA-256 produces the RFC 7677 messages and accepts its server signature', () => {
  const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
  assert.equal(c.first().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
  assert.equal(c.final(Buffer.from(SERVER_FIRST)).toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
  c.verify(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))
})

test('a wrong server signature, a foreign nonce and too few iterations are refused', () => {
  const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
  c.final(Buffer.from(SERVER_FIRST))
  assert.throws(() => c.verify(Buffer.from('v=' + Buffer.alloc(32).toString('base64'))), ScramError)
  assert.throws(() => new ScramClient('sha256', 'u', 'p', 'abc').final(Buffer.from('r=xyz123,s=AAAA,i=4096')), /nonce/)
  assert.throws(() => new ScramClient('sha256', 'u', 'p', 'abc').final(Buffer.from('r=abc123,s=AAAA,i=1000')), /iterations/)
  assert.throws(() => new ScramClient('sha512', 'u', 'p', 'abc').final(Buffer.from('e=invalid-proof')), /refused/)
})

test('user names escape = and , (RFC 5802 saslname)', () => {
  assert.equal(new ScramClient('sha512', 'a=b,c', 'p', 'n0').first().toString(), 'n,,n=a=3Db=2Cc,r=n0')
})
