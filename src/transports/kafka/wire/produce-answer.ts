// What one Produce answer means for the batch it carried. Decided apart from the I/O so that the
// answers a test broker never gives (DUPLICATE_SEQUENCE_NUMBER: no broker since Kafka 2.0 sends
// it) are tested all the same, in test/unit/transports/kafka/produce-answer.test.ts.

import { KprodError } from '../../../errors.ts'
import { fromBrokerError } from '../errors.ts'
import { BrokerError, STALE_METADATA } from './error-codes.ts'

/** Answers that refuse an idempotent batch for its sequence: nothing written, retried re-stamped. */
const SEQUENCE_REFUSED = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID'])

/**
 * Why a delivered batch has no positions, for its exchange's response. A broker before Kafka 2.0
 * answers DUPLICATE_SEQUENCE_NUMBER to a retry of a batch it wrote earlier but no longer holds
 * among the producer's last five (later brokers answer NONE with the first write's offsets). The
 * Java producer (Sender.completeBatch) and librdkafka (RD_KAFKA_MSG_STATUS_PERSISTED) count it as
 * delivered at unknown offsets; so does kprod.
 */
export const DUPLICATE_NOTE = 'DUPLICATE_SEQUENCE_NUMBER: the broker wrote this batch on an earlier attempt and no longer knows its offsets; delivered, positions null'

export type ProduceOutcome =
  /** Written, at consecutive offsets from `baseOffset`, or (null) at offsets the broker did not say, `note` telling why. */
  | { readonly kind: 'delivered', readonly baseOffset: string | null, readonly note: string | null }
  /** The idempotent batch was refused for its sequence: nothing written; its partition starts over at a new epoch. */
  | { readonly kind: 'sequence-refused', readonly error: KprodError }
  /** Any other error; `staleMetadata`: the partition's leader may have moved. */
  | { readonly kind: 'failed', readonly error: KprodError, readonly staleMetadata: boolean }

export interface ProduceAnswer {
  readonly errorCode: number
  readonly errorMessage: string | null
  readonly baseOffset: string
}

export interface AnswerContext {
  readonly idempotent: boolean
  /** The node id that answered, for a refusal without a message of its own. */
  readonly broker: number
  /** What TOPIC_AUTHORIZATION_FAILED means here: the principal and the missing ACL (asked only then). */
  readonly lacksWrite: () => string
}

export function produceOutcome (answer: ProduceAnswer, context: AnswerContext): ProduceOutcome {
  if (answer.errorCode === 0) return { kind: 'delivered', baseOffset: answer.baseOffset, note: null }
  const why = answer.errorCode === 29 ? context.lacksWrite() : answer.errorMessage ?? `broker ${context.broker} refused the batch`
  const e = new BrokerError(answer.errorCode, why)
  if (context.idempotent && e.type === 'DUPLICATE_SEQUENCE_NUMBER') return { kind: 'delivered', baseOffset: null, note: DUPLICATE_NOTE }
  if (context.idempotent && SEQUENCE_REFUSED.has(e.type)) {
    // The Java producer retries these after an epoch bump; the broker wrote nothing.
    return { kind: 'sequence-refused', error: new KprodError('KPROD_BROKER', `${e.message}; retrying at a new producer epoch`, { retriable: true, targetCode: e.type, cause: e }) }
  }
  return { kind: 'failed', error: fromBrokerError(e.type, e.message, e.retriable, e), staleMetadata: STALE_METADATA.has(e.type) }
}
