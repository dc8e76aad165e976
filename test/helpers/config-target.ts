// Narrows a resolved Config's target in tests that read target-only fields.

import assert from 'node:assert/strict'
import type { Config, KafkaTarget, KinesisTarget } from '../../src/config/config.ts'

export function kafkaTarget (config: Config): KafkaTarget {
  assert.equal(config.target.kind, 'kafka')
  return config.target as KafkaTarget
}

export function kinesisTarget (config: Config): KinesisTarget {
  assert.equal(config.target.kind, 'kinesis')
  return config.target as KinesisTarget
}
