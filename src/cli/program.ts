// Builds the commander program from the option table and parses argv into raw option text.
// Values are not defaulted or converted here: config.ts does that, so flag, KPROD_* variable and
// default go through one validation path with one set of error messages.

import { Command, Option, CommanderError } from 'commander'
import { OPTIONS, envName, type OptionSpec } from '../config/options.ts'
import { camel, type RawValues } from '../config/config.ts'
import { EXIT_CODE_HELP } from '../exit-codes.ts'

export interface ParsedArgs {
  readonly flags: RawValues
  readonly files: readonly string[]
  /** -X key=value, in order. */
  readonly properties: readonly string[]
}

export interface ProgramIo {
  readonly writeOut: (text: string) => void
  readonly writeErr: (text: string) => void
}

const EXAMPLES = `
Examples:
  tail -f app.log | kprod --topic logs
  kprod --topic events --brokers h1:9092,h2:9092 a.txt b.txt
  printf 'k1\\tv1\\n' | kprod --topic t --key-separator '\\t'
  printf 'u1\\t\\n' | kprod --topic users --key-separator '\\t' -Z   (a tombstone)
  kcat -C -J -b h:9092 -t a -e | kprod --format json -b h:9092 -t b
  tail -f app.log | kprod --stream logs --region eu-west-1
  kprod --stream s --endpoint http://127.0.0.1:4567 < data.txt
  kprod --topic t --failed-output failed.txt data.txt; kprod --topic t failed.txt

Output: JSON lines on stdout (one per batch, stats lines, a summary last);
logs, warnings and the progress bar go to stderr. Schema: schema/output.schema.json.
Every option can also be set with its KPROD_* environment variable; a flag wins.
`

export function buildProgram (version: string, io: ProgramIo): Command {
  const program = new Command('kprod')
    .description('Pipe newline-delimited records from stdin or files into a Kafka topic or a Kinesis data stream,\none record per line, accounting for every line (delivered, failed, unknown, skipped or unsent).')
    .usage('(--topic <name> | --stream <name>) [options] [file...]')
    .argument('[file...]', 'input files, read in order; none or - means stdin')
    .version(version, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .exitOverride()
    .addHelpText('after', EXAMPLES + EXIT_CODE_HELP)
  for (const spec of OPTIONS) {
    program.addOption(toOption(spec))
    // The negation of a negatable switch: documented in its help text.
    if (spec.negatable === true) program.addOption(new Option(`--no-${spec.name}`).hideHelp())
  }
  return program
}

function toOption (spec: OptionSpec): Option {
  const negated = spec.kind === 'boolean' && spec.default === 'true'
  const short = spec.short === undefined ? '' : `-${spec.short}, `
  const flags = negated ? `--no-${spec.name}` : `${short}--${spec.name}${spec.arg === undefined ? '' : ' ' + spec.arg}`
  const env = envName(spec)
  const details = env === null ? [] : [`env ${env}`]
  if (spec.default !== undefined && !negated) details.push(`default: ${spec.default}`)
  const option = new Option(flags, details.length === 0 ? spec.help : `${spec.help} (${details.join(', ')})`)
  if (spec.kind === 'repeat') option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
  option.helpGroup(`${spec.group} options:`)
  return option
}

/** Parses argv (without node and script); returns null after --help/--version or a usage error. */
export function parseArgs (program: Command, argv: readonly string[]): ParsedArgs | { exitCode: number } {
  try {
    program.parse([...argv], { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
      return { exitCode: ok ? 0 : 2 }
    }
    throw err
  }
  const flags: Record<string, string | boolean | readonly string[] | undefined> = {}
  let properties: readonly string[] = []
  for (const spec of OPTIONS) {
    const key = camel(spec.name)
    if (program.getOptionValueSource(key) !== 'cli') continue
    // -X properties are a layer of their own (config/properties.ts); other repeatable flags are values.
    if (spec.name === 'property') properties = program.getOptionValue(key) as string[]
    else flags[key] = program.getOptionValue(key) as string | boolean | string[]
  }
  return { flags, files: program.args, properties }
}
