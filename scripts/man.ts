// Renders man/kprod.1 from the option table, so the man page lists exactly the options the
// code has. `node scripts/man.ts > man/kprod.1` regenerates it; test/docs.test.ts checks it.

import { OPTIONS, OPTION_GROUPS, envName } from '../src/config/options.ts'
import { EXIT_CODE_HELP } from '../src/exit-codes.ts'

const esc = (s: string): string => s.replaceAll('\\', '\\e').replaceAll('-', '\\-').replace(/^\./gm, '\\&.')

export function renderMan (version: string): string {
  const out: string[] = []
  out.push(`.TH KPROD 1 "" "kprod ${version}" "User Commands"`)
  out.push('.SH NAME', 'kprod \\- pipe newline\\-delimited records into Apache Kafka or AWS Kinesis Data Streams, accounting for every line')
  out.push('.SH SYNOPSIS',
    '.B kprod', '\\-\\-topic', '.I name', '[\\fIoptions\\fR] [\\fIfile\\fR...]', '.br',
    '.B kprod', '\\-\\-stream', '.I name', '[\\fIoptions\\fR] [\\fIfile\\fR...]')
  out.push('.SH DESCRIPTION',
    esc('kprod reads lines from stdin (no files, or -) or from the files given, in order, and sends one record per line: to a Kafka topic (--topic, with --brokers) or to a Kinesis data stream (--stream; AWS credentials and region from the AWS SDK default chain, or --region and --endpoint). An option that means something for one target only (--acks for Kafka, --region for Kinesis, ...) is refused with the other. A line is the bytes between LF delimiters with one trailing CR removed; a last line without LF counts; invalid UTF-8 and NUL bytes pass through unchanged.'),
    '.PP',
    esc('Lines are grouped into batches (one open batch per partition, cut on --batch-records, --batch-bytes, --min-records/--min-bytes or --linger), and an asynchronous producer sends them with at most one request in flight per partition and at most --workers overall, retrying until --delivery-timeout (or up to --attempts times, when given). With Kinesis --shard-ordering a batch never holds two records of one partition key, so a single failed record is retried before the next record of its key is sent.'),
    '.PP',
    esc('Every line ends as exactly one of: delivered (acknowledged, with partition and offset), failed (definitely not written), unknown (may have been written: a timeout or a dropped connection after the request left), skipped (too long, too large for the topic, no key separator, or empty with --empty-lines skip) or unsent (never sent because kprod was interrupted or --flush-timeout passed). The summary line states the counts, and read = delivered + failed + unknown + skipped + unsent.'),
    '.PP',
    esc('stdout carries JSON lines only: one "batch" line per batch, "stats" lines every --stats-interval, and a "summary" line last (schema: schema/output.schema.json). Logs, warnings and the progress bar go to stderr. When stdout is closed (| head), reporting stops quietly and delivery goes on.'))
  out.push('.SH OPTIONS')
  for (const group of OPTION_GROUPS) {
    out.push(`.SS ${group}`)
    for (const spec of OPTIONS.filter((o) => o.group === group)) {
      const negated = spec.kind === 'boolean' && spec.default === 'true'
      const flag = negated ? `\\-\\-no\\-${esc(spec.name)}` : `\\-\\-${esc(spec.name)}`
      const short = spec.short === undefined ? '' : `\\fB\\-${spec.short}\\fR, `
      const arg = spec.arg === undefined ? '' : ` \\fI${esc(spec.arg.replace(/[<>]/g, ''))}\\fR`
      out.push('.TP', `${short}\\fB${flag}\\fR${arg}`)
      const env = envName(spec)
      const extra = env === null ? [] : [`environment: ${env}`]
      if (spec.default !== undefined && !negated) extra.push(`default: ${spec.default}`)
      out.push(esc(`${spec.help}. (${extra.join('; ')})`))
    }
  }
  out.push('.TP', '\\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'show the options and exit')
  out.push('.TP', '\\fB\\-V\\fR, \\fB\\-\\-version\\fR', 'print the version and exit')
  out.push('.SH EXIT STATUS', '.nf', ...EXIT_CODE_HELP.trim().split('\n').slice(1).map((l) => esc(l.trim())), '.fi')
  out.push('.SH ENVIRONMENT', esc('Every option can be set with its KPROD_* variable (listed with each option); a flag on the command line wins. Boolean variables take true or false.'))
  out.push('.SH SIGNALS', esc('The first SIGINT or SIGTERM stops reading, sends what is buffered within --drain-timeout, prints the summary (with unsent lines) and exits with 130 or 143. A second signal gives up on what is still pending at once; the summary is still printed.'))
  out.push('.SH END OF INPUT', esc('At end of input kprod sends what is buffered and exits once every line is delivered or has failed, each batch within --delivery-timeout. With --flush-timeout, it gives up on whatever is still pending (buffered, in flight or waiting for a retry) once that many milliseconds have passed since the end of input: records never sent are unsent, those in flight unknown, those between attempts keep their last error; the summary error field says how many were delivered and how many were given up, and the exit code is 4.'))
  out.push('.SH CHECKPOINT', esc('With --checkpoint FILE, kprod keeps in FILE, per input file (device, inode, size and a hash of its first 4 KiB), how far it has read and which lines below that point must be sent again; FILE is replaced atomically every 200 ms and at exit. Running the same command again, even after kill -9, skips the lines delivered or skipped before (counted as checkpoint.alreadyDone in the summary, not in read) and sends again the lines that were failed, unknown, unsent, in flight or queued. A file that shrank, was replaced or whose first bytes changed is exit 2 unless --checkpoint-reset; standard input is refused.'))
  out.push('.SH EXAMPLES', '.nf',
    esc('tail -f app.log | kprod --topic logs'),
    esc('kprod --topic events --brokers h1:9092,h2:9092 a.txt b.txt'),
    esc("printf 'k1\\tv1\\n' | kprod --topic t --key-separator '\\t'"),
    esc('tail -f app.log | kprod --stream logs --region eu-west-1'),
    esc('kprod --stream s --endpoint http://127.0.0.1:4567 < data.txt'),
    esc('kprod -q --topic t data.txt    # the summary line only, for CI'),
    esc('kprod --topic t --failed-output failed.txt data.txt || kprod --topic t failed.txt'),
    esc('kprod --topic t --checkpoint import.ckpt a.txt b.txt   # run again after a crash to resume'),
    esc("printf 'k1\tv1\n' | kprod --topic t -H source=app1 -H env=prod --key-separator '\t'"),
    esc("printf 'u1\t\n' | kprod --topic users --key-separator '\t' -Z     # a tombstone: deletes u1 from a compacted topic"),
    esc('kprod --topic logs app.log.gz app.log.zst   # read decompressed (--raw-input: as they are)'),
    esc("find . -type f -print0 | kprod --topic files -D '\\0'"),
    esc('kcat -C -J -b h:9092 -t a -e | kprod --format json -b h:9092 -t b   # copy keys, values, headers, timestamps, partitions'),
    '.fi')
  out.push('.SH SEE ALSO', '\\fBkcat\\fR(1), the README of kprod')
  return out.join('\n') + '\n'
}

if (import.meta.main) {
  const { readFileSync } = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  process.stdout.write(renderMan(pkg.version))
}
