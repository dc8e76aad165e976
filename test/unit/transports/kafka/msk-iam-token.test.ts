// The Amazon MSK IAM token that OAUTHBEARER carries, made by AWS's signer from fixed credentials
// in the environment (the default chain's first source): a base64url presigned URL for the
// kafka-cluster:Connect action in the right region, SigV4 parameters, and an expiry.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fetchToken, regionOf } from '../../../../src/transports/kafka/oauth-token.ts'

const ENV = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

test('the MSK IAM token is a presigned kafka-cluster:Connect URL for the region, with SigV4 parameters and an expiry', async () => {
  const saved = { ...process.env }
  Object.assign(process.env, ENV)
  delete process.env.AWS_PROFILE
  delete process.env.AWS_SESSION_TOKEN
  try {
    const before = Date.now()
    const token = await fetchToken({ kind: 'aws-msk-iam', region: 'eu-west-1' }, {}, [])
    assert.match(token.value, /^[A-Za-z0-9_-]+$/, 'base64url without padding')
    const url = new URL(Buffer.from(token.value, 'base64url').toString())
    assert.equal(url.protocol, 'https:')
    assert.equal(url.host, 'kafka.eu-west-1.amazonaws.com')
    const q = url.searchParams
    assert.equal(q.get('Action'), 'kafka-cluster:Connect')
    assert.equal(q.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256')
    assert.match(q.get('X-Amz-Credential') ?? '', /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/)
    assert.equal(q.get('X-Amz-SignedHeaders'), 'host')
    assert.match(q.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/)
    assert.equal(q.get('X-Amz-Expires'), '900')
    assert.match(q.get('X-Amz-Date') ?? '', /^\d{8}T\d{6}Z$/)
    assert.ok(q.get('User-Agent') !== null)
    assert.ok(!token.value.includes(ENV.AWS_SECRET_ACCESS_KEY))
    assert.ok(token.expiresAt !== null && token.expiresAt > before && token.expiresAt <= Date.now() + 900_000 + 1000)
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
    Object.assign(process.env, saved)
  }
})

test('the MSK IAM region comes from AWS_REGION, then the MSK broker names', () => {
  assert.equal(regionOf({ AWS_REGION: 'us-east-2' }, []), 'us-east-2')
  assert.equal(regionOf({}, ['b-1.demo.abc123.c2.kafka.ap-south-1.amazonaws.com:9098']), 'ap-south-1')
  assert.throws(() => regionOf({}, ['127.0.0.1:9092']), /no AWS region/)
})
