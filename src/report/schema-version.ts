// The version of the JSON lines' shape (schema/output.schema.json), carried by every line as
// `schemaVersion`. Bumped on any change a parser would notice; the README's Output section lists
// what each version changed.

/** 2: the outcome counts are named `counts` in every line type (batch `outcomes` and stats `totals` before). */
export const SCHEMA_VERSION = 2
