// kafkajs's logs on stderr, de-duplicated: during an outage kafkajs logs the same connection error
// for every request and retry (thousands of lines, each with a stack trace). Each distinct
// message is written once, when first seen; close() writes one line per message that came again,
// with how many times.

import kafkajs, { type logCreator as LogCreator } from 'kafkajs'

const { logLevel: KafkaLogLevel } = kafkajs

const LEVEL_NAMES = new Map<number, string>([
  [KafkaLogLevel.ERROR, 'ERROR'],
  [KafkaLogLevel.WARN, 'WARN'],
  [KafkaLogLevel.INFO, 'INFO'],
  [KafkaLogLevel.DEBUG, 'DEBUG']
])

/** Fields of a kafkajs log entry that differ between repeats of one message, or only add noise. */
const DROPPED_FIELDS = new Set(['message', 'timestamp', 'logger', 'stack', 'retryCount', 'retryTime'])

/** Distinct messages remembered; past this, new ones are still written but no longer counted. */
const MAX_DISTINCT = 1000

export class KafkajsLog {
  readonly #write: (line: string) => void
  /** Repeats seen after the first, by message key. */
  readonly #seen = new Map<string, number>()

  constructor (write: (line: string) => void) {
    this.#write = write
  }

  /** The logCreator to give kafkajs. */
  readonly creator: LogCreator = () => ({ namespace, level, log: entry }) => {
    const name = LEVEL_NAMES.get(level) ?? String(level)
    const text = `kafkajs ${name} [${namespace}] ${String(entry.message)}`
    const repeats = this.#seen.get(text)
    if (repeats !== undefined) {
      this.#seen.set(text, repeats + 1)
      return
    }
    if (this.#seen.size < MAX_DISTINCT) this.#seen.set(text, 0)
    const extra: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(entry)) if (!DROPPED_FIELDS.has(k)) extra[k] = v
    const rest = Object.keys(extra).length > 0 ? ' ' + JSON.stringify(extra) : ''
    this.#write(`kprod: ${text}${rest}`)
  }

  /** Writes one line per message that was repeated, with its count; then starts counting afresh. */
  flush (): void {
    for (const [text, repeats] of this.#seen) {
      if (repeats > 0) this.#write(`kprod: ${text} (${repeats} more ${repeats === 1 ? 'time' : 'times'})`)
    }
    this.#seen.clear()
  }
}
