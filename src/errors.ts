// Errors as data: every failure kprod reports carries a stable code, whether another attempt may
// succeed (`retriable`), and whether the request may already have been written (`maybeWritten`),
// which is what separates a `failed` record from an `unknown` one. The code travels with the text
// (ErrorData) through the producer to the JSON lines; README's Output section and the schema's
// errorCode enum say what each code means.

export const ERROR_CODES = [
  'KPROD_CONFIG',
  'KPROD_INPUT',
  'KPROD_CONNECT',
  'KPROD_AUTH',
  'KPROD_TLS',
  'KPROD_TARGET_NOT_FOUND',
  'KPROD_RECORD_TOO_LARGE',
  'KPROD_INVALID_RECORD',
  'KPROD_REQUEST_TIMEOUT',
  'KPROD_CONNECTION_LOST',
  'KPROD_BROKER',
  'KPROD_THROTTLED',
  'KPROD_BUFFER_FULL',
  'KPROD_DELIVERY_TIMEOUT',
  'KPROD_FLUSH_TIMEOUT',
  'KPROD_INTERRUPTED',
  'KPROD_INTERNAL'
] as const

export type ErrorCode = typeof ERROR_CODES[number]

/**
 * An error as the output carries it: the text people read and the code programs branch on.
 * Records of one exchange share one ErrorData, so a failed batch makes one, not one per record.
 */
export interface ErrorData {
  readonly code: ErrorCode
  readonly text: string
  /** The target's own name for the error (see KprodError.targetCode), or null. */
  readonly targetCode: string | null
}

export function errorData (code: ErrorCode, text: string, targetCode: string | null = null): ErrorData {
  return { code, text, targetCode }
}

export interface KprodErrorOptions {
  readonly retriable?: boolean
  /** The request may have reached the target before the failure (a timeout, a dropped connection). */
  readonly maybeWritten?: boolean
  /** The target's own name for the error: a Kafka error name, a Kinesis error code. */
  readonly targetCode?: string | undefined
  readonly cause?: unknown
}

export class KprodError extends Error {
  readonly code: ErrorCode
  readonly retriable: boolean
  readonly maybeWritten: boolean
  /**
   * The target's own name for the error when the target gave one (NOT_LEADER_OR_FOLLOWER,
   * ProvisionedThroughputExceededException); null when kprod, a socket or a client library did.
   */
  readonly targetCode: string | null

  constructor (code: ErrorCode, message: string, options: KprodErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'KprodError'
    this.code = code
    this.retriable = options.retriable ?? false
    this.maybeWritten = options.maybeWritten ?? false
    this.targetCode = options.targetCode === undefined || options.targetCode === '' ? null : options.targetCode
  }
}

/** Thrown by configuration validation; lists every problem found, one per line. */
export class ConfigError extends KprodError {
  readonly problems: readonly string[]

  constructor (problems: readonly string[]) {
    super('KPROD_CONFIG', problems.join('\n'))
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Any thrown value as a KprodError; unknown errors become non-retriable KPROD_INTERNAL. */
export function toKprodError (err: unknown): KprodError {
  if (err instanceof KprodError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new KprodError('KPROD_INTERNAL', message, { cause: err })
}

/** The message of any thrown value, for JSON output (never `{}`). */
export function errorText (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
