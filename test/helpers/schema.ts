// Validates kprod output lines against schema/output.schema.json (ajv, draft 2020-12). Shared by
// unit, CLI and integration tests; ajv stays a devDependency, out of src/.

import { readFileSync } from 'node:fs'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'

const schemaUrl = new URL('../../schema/output.schema.json', import.meta.url)
const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as { $id: string }
const ajv = new Ajv2020({ allErrors: true, strict: true })
const validateAny = ajv.compile(schema)
const byType = new Map<unknown, ValidateFunction>(
  ['batch', 'stats', 'summary'].map((type) => [type, ajv.getSchema(`${schema.$id}#/$defs/${type}`)!])
)

/** Schema errors of one parsed output line, as readable strings; empty when the line is valid. */
export function validateLine (obj: unknown): string[] {
  if (validateAny(obj)) return []
  // The oneOf reports every branch's complaints; the branch named by "type" says what is wrong.
  const type = typeof obj === 'object' && obj !== null ? (obj as { type?: unknown }).type : undefined
  const one = byType.get(type)
  if (one !== undefined && !one(obj)) return describe(one.errors)
  return describe(validateAny.errors)
}

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const TIME_KEYS = new Set(['time', 'started', 'ended', 'opened', 'enqueued', 'begin', 'complete', 'firstTimestamp', 'maxTimestamp'])
const ERROR_KEYS = new Set(['error', 'producerError'])

/**
 * Everything design.md promises about an output line, beyond the schema: "type" is the first key,
 * times are RFC 3339 UTC with milliseconds, errors are strings or null (never {}).
 */
export function contractProblems (obj: unknown): string[] {
  const problems = validateLine(obj)
  if (typeof obj !== 'object' || obj === null) return problems
  if (Object.keys(obj)[0] !== 'type') problems.push('"type" is not the first key')
  walk(obj, (key, value) => {
    if (TIME_KEYS.has(key) && value !== null && !RFC3339_MS.test(String(value))) problems.push(`${key} is not RFC 3339 with ms and Z: ${String(value)}`)
    if (ERROR_KEYS.has(key) && value !== null && typeof value !== 'string') problems.push(`${key} is not a string or null: ${JSON.stringify(value)}`)
  })
  return problems
}

function walk (value: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit)
    return
  }
  if (typeof value !== 'object' || value === null) return
  for (const [k, v] of Object.entries(value)) {
    visit(k, v)
    walk(v, visit)
  }
}

function describe (errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`)
}
