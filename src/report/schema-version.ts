// The version of the JSON lines' shape (schema/output.schema.json), carried by every line as
// `schemaVersion`. Bumped on any change a parser would notice; the README's Output section lists
// what each version changed.

/** 3: every error carries its code, and the summary counts undelivered lines by code (2: `counts` in every line type). */
export const SCHEMA_VERSION = 3
