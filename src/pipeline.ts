// Wires the stages: input → parser → size check and partitioner → batch builder → async producer
// → transport, with every batch result going to the reporter. Reading waits when the producer's
// queue is full, so memory stays bounded whatever the input size. Signals stop reading and drain;
// --flush-timeout bounds the wait after end of input.

import type { Readable, Writable } from 'node:stream'
import type { BatchConfig, Config, InputConfig, ProducerConfig } from './config/config.ts'
import { ConfigError, KprodError, errorData, errorText, toKprodError, type ErrorData } from './errors.ts'
import type { InputRecord } from './record.ts'
import { recordBytes, type Batch } from './batch/batch.ts'
import { BatchBuilder } from './batch/builder.ts'
import { AsyncProducer } from './producer/async-producer.ts'
import { refusedResult } from './producer/refused.ts'
import { withRateLimit, type Producing } from './producer/rate-gate.ts'
import { batchCap } from './producer/rate-limiter.ts'
import { ChunkPool, releaseDelivered } from './input/chunk-pool.ts'
import { DEFAULT_HIGH_WATER_MARK, checkSources } from './input/sources.ts'
import { readInput, type InputSink, type InputTotals } from './input/read-input.ts'
import { checkOutputPaths, type FileId } from './input/output-paths.ts'
import { SourceLines } from './input/source-lines.ts'
import { Reporter } from './report/reporter.ts'
import type { Checkpoint } from './checkpoint/checkpoint.ts'
import { fileCodec } from './input/decompress.ts'
import type { BatchResult } from './producer/result.ts'
import { FailedOutput } from './report/failed-output.ts'
import { exitReason } from './report/exit-reason.ts'
import { targetName, type Router, type Transport } from './transports/transport.ts'
import type { Clock, TimerHandle } from './util/clock.ts'
import { EXIT_CODES as EXIT } from './exit-codes.ts'

export interface PipelineDeps {
  readonly transport: Transport
  /** Read only when stdin is a source and `stdinPipe` is not set (a getter may make it on demand). */
  readonly stdin: Readable
  /** kprod's own fd 0 when it is a pipe or socket, read straight into pooled chunks; null or absent: read `stdin`. */
  readonly stdinPipe?: number | null
  readonly stdout: Writable
  readonly warn: (message: string) => void
  readonly clock: Clock
  /** Aborts on the first SIGINT/SIGTERM: stop reading, drain within --drain-timeout. */
  readonly stop: AbortSignal
  /** Aborts on the second signal: give up on everything still pending. */
  readonly abort: AbortSignal
  /** Called once the reporter exists, so the caller can attach a progress bar. */
  readonly onStart?: (reporter: Reporter) => void
  /** stdin's file when stdin is a regular file (`kprod < file`): no output may be that file. */
  readonly stdinFile?: FileId | null
  /** Fill input memory with 0xEE when it goes back to the pool (KPROD_DEBUG_POISON=1, set by the tests). */
  readonly poisonReleasedInput?: boolean
}

/**
 * Free chunk memory kept for reuse; what comes back beyond it is left to the GC, which frees it
 * only at an old-space collection. Long lines make chunks of every size on their way (64 KiB,
 * 128 KiB, ... 2 MiB for a 1 MiB line), and with 16 MiB the 2 MiB ones often found the pool full
 * (bench/README.md, "Figures behind constants in src/").
 */
const POOL_FREE_BYTES = 32 * 1024 * 1024

export interface PipelineResult {
  readonly exitCode: number
}

export async function runPipeline (config: Config, deps: PipelineDeps): Promise<PipelineResult> {
  await checkSources(config.input.files)
  // Before anything is opened for writing: an output that is an input would be emptied unread.
  const outputs = [
    ...(config.output.failedOutput === null ? [] : [{ flag: '--failed-output', path: config.output.failedOutput }]),
    ...(config.input.checkpoint === null ? [] : [{ flag: '--checkpoint', path: config.input.checkpoint }])
  ]
  await checkOutputPaths(outputs, config.input.files, deps.stdinFile ?? null)
  if (config.input.checkpoint !== null && !config.input.rawInput) await refuseCompressedCheckpoint(config.input.files)
  // The checkpoint code is loaded only with --checkpoint: it brings node:crypto, which a plain run never needs.
  const checkpoint = config.input.checkpoint === null
    ? null
    : await (await import('./checkpoint/checkpoint.ts')).Checkpoint.open({ path: config.input.checkpoint, reset: config.input.checkpointReset, files: config.input.files, clock: deps.clock, warn: deps.warn })
  const failedOutput = config.output.failedOutput === null ? null : await openFailedOutput(config.output.failedOutput, config.input.delimiter)
  let producer: Producing | null = null
  let builder: BatchBuilder | null = null
  const sources = new SourceLines()
  const reporter = new Reporter({
    out: deps.stdout,
    warn: deps.warn,
    target: config.target.name,
    kind: deps.transport.kind,
    clock: deps.clock,
    statsIntervalMs: config.output.statsIntervalMs,
    batchLines: config.output.batchLines,
    failedOutput,
    rateLimit: config.producer.rate,
    buffered: () => (builder?.bufferedRecords ?? 0) + (producer?.bufferedRecords ?? 0),
    locate: (lineNo) => sources.locate(lineNo)
  })
  reporter.start()
  deps.onStart?.(reporter)
  let exitCode: number = EXIT.ok
  let error: ErrorData | null = null
  // Reading stops on the first signal, or when the buffer is full under --when-full error.
  const inputStop = new AbortController()
  const pool = new ChunkPool({ chunkBytes: DEFAULT_HIGH_WATER_MARK, maxFreeBytes: POOL_FREE_BYTES, poison: deps.poisonReleasedInput === true })
  deps.stop.addEventListener('abort', () => inputStop.abort(deps.stop.reason), { once: true })
  const refuse = (batch: Batch): void => {
    const full = errorData('KPROD_BUFFER_FULL', `buffer full: ${batch.records.length} records not sent (--when-full ${config.producer.whenFull}, --buffer-records ${config.producer.bufferRecords}, --buffer-bytes ${config.producer.bufferBytes})`)
    const result = refusedResult(batch, config.target.name, full, deps.clock.now())
    reporter.droppedBatch(result)
    if (checkpoint !== null) followBatch(checkpoint, result)
    if (config.producer.whenFull === 'error' && !inputStop.signal.aborted) {
      error = errorData(full.code, `${full.text}; reading stopped`)
      inputStop.abort('when-full')
    }
  }
  try {
    const topology = await untilStopped(deps.transport.connect(), deps.stop, 'while connecting')
    const router = deps.transport.router(topology)
    // --rate, --rate-bytes: batches wait at the hand-over to the producer, never inside it.
    producer = withRateLimit(makeProducer(config.producer, config.batch.batchRecords, deps, router, reporter, checkpoint), config.producer.rate, deps.clock, config.producer.bufferRecords, config.producer.bufferBytes)
    builder = makeBuilder(config.batch, config.producer, deps, router, producer, refuse)
    const totals = await read(config.input, config.producer.whenFull, deps, router, builder, producer, reporter, pool, sources, inputStop.signal, checkpoint)
    if (totals.bytes === 0 && !totals.interrupted) deps.warn(`kprod: warning: ${noInputText(config.input.files)}`)
    builder.end()
    const flushTimeout = await drain(config.producer, deps, producer, reporter)
    if (flushTimeout !== null) {
      deps.warn(`kprod: ${flushTimeout.text}`)
      // refuse() may have set it: TypeScript does not follow assignments in callbacks.
      const before = error as ErrorData | null
      error = before === null ? flushTimeout : errorData(before.code, `${before.text}; ${flushTimeout.text}`)
    }
    if (totals.partialLine !== null) {
      // Reading stopped mid-line: on a signal, or when the buffer was full under --when-full error.
      reporter.lineRead()
      reporter.unsent([totals.partialLine], 1, error?.code ?? 'KPROD_INTERRUPTED')
    }
    exitCode = reporter.exitCode()
  } catch (err) {
    const e = toKprodError(err)
    error = errorData(e.code, errorText(e))
    exitCode = exitCodeFor(e)
    deps.warn(`kprod: ${error.text}`)
    builder?.end()
    producer?.abort(error)
  } finally {
    await deps.transport.close().catch(() => {})
  }
  const signal = deps.stop.aborted ? String(deps.stop.reason) : null
  if (signal === 'SIGINT') exitCode = EXIT.sigint
  if (signal === 'SIGTERM') exitCode = EXIT.sigterm
  // After the drain: every line that got an outcome is in the last checkpoint.
  const checkpointReport = checkpoint === null ? null : await checkpoint.close()
  await reporter.finish({ exitCode, signal, error: error?.text ?? null, errorCode: error?.code ?? null, notes: deps.transport.notes, checkpoint: checkpointReport, idempotent: deps.transport.idempotent ?? null, dryRun: deps.transport.placement?.() ?? null })
  const why = exitReason({ exitCode, counts: reporter.counts, signal, error: error?.text ?? null })
  if (why !== null) deps.warn(why)
  return { exitCode }
}

/**
 * `work`, unless the stop signal comes first: a signal during connect must not wait out
 * --connect-timeout (the transport's close() then ends what connect still holds).
 */
function untilStopped<T> (work: Promise<T>, stop: AbortSignal, what: string): Promise<T> {
  if (stop.aborted) work.catch(() => {})
  return new Promise<T>((resolve, reject) => {
    const onStop = (): void => {
      work.catch(() => {})
      reject(new KprodError('KPROD_INTERRUPTED', `interrupted by ${String(stop.reason)} ${what}`))
    }
    if (stop.aborted) return onStop()
    stop.addEventListener('abort', onStop, { once: true })
    work.then(resolve, reject).finally(() => stop.removeEventListener('abort', onStop))
  })
}

/** A --failed-output file that cannot be opened is a usage error (exit 2), not an internal one. */
/**
 * A checkpoint keeps byte offsets into each file, and a resume seeks there; in a gzip or zstd file
 * the lines' offsets are those of the decompressed bytes, so a resume would start mid-stream.
 */
async function refuseCompressedCheckpoint (files: readonly string[]): Promise<void> {
  for (const file of files) {
    const codec = await fileCodec(file)
    if (codec !== null) {
      throw new ConfigError([`--checkpoint: '${file}' is ${codec}-compressed, and a checkpoint resumes at byte offsets of the file; decompress it first (or give --raw-input to send its bytes as they are)`])
    }
  }
}

async function openFailedOutput (path: string, delimiter: Buffer | null): Promise<FailedOutput> {
  try {
    return await FailedOutput.open(path, delimiter)
  } catch (err) {
    throw new ConfigError([errorText(err)])
  }
}

function exitCodeFor (e: KprodError): number {
  if (e instanceof ConfigError) return EXIT.usage
  switch (e.code) {
    case 'KPROD_CONFIG': return EXIT.usage
    case 'KPROD_CONNECT': case 'KPROD_AUTH': case 'KPROD_TLS': case 'KPROD_TARGET_NOT_FOUND': return EXIT.connect
    case 'KPROD_INPUT': return EXIT.partial
    default: return EXIT.internal
  }
}

/** Why a run read nothing at all: a closed or empty stdin is most often a mistake in a script. */
function noInputText (files: readonly string[]): string {
  if (files.length === 0) return 'no input: stdin was empty or closed, so nothing was sent (pipe lines in, or name input files)'
  return `no input: ${files.length === 1 ? 'the input was' : 'all inputs were'} empty (${files.map((f) => f === '-' ? 'stdin' : `'${f}'`).join(', ')}), so nothing was sent`
}

/** Tells the checkpoint how each line of a batch ended, and has it written at once. */
function followBatch (checkpoint: Checkpoint, result: BatchResult): void {
  const records = result.batch.records
  for (let i = 0; i < records.length; i++) {
    const lineNo = (records[i] as InputRecord).lineNo
    if (result.outcomes[i] === 'delivered') checkpoint.done(lineNo)
    else checkpoint.again(lineNo)
  }
  checkpoint.commit()
}

function makeProducer (settings: ProducerConfig, batchRecords: number, deps: PipelineDeps, router: Router, reporter: Reporter, checkpoint: Checkpoint | null): AsyncProducer {
  return new AsyncProducer({
    transport: deps.transport,
    router,
    partitions: router.partitions,
    workers: settings.workers,
    attempts: settings.attempts,
    retryBackoffMs: settings.retryBackoffMs,
    retryBackoffMaxMs: settings.retryBackoffMaxMs,
    deliveryTimeoutMs: settings.deliveryTimeoutMs,
    strictPartitioning: settings.strictPartitioning,
    maxQueuedBatches: Math.max(1, Math.ceil(settings.bufferRecords / batchRecords)),
    maxBufferedBytes: settings.bufferBytes,
    clock: deps.clock,
    onResult: (result) => {
      // Checkpoint first: a batch line on stdout then means its lines are in the checkpoint file,
      // even when a kill -9 comes right after.
      if (checkpoint !== null) followBatch(checkpoint, result)
      reporter.batch(result)
      // Delivered records are done with: their input chunks can be read into again.
      if (result.produced) releaseDelivered(result.batch.records)
    }
  })
}

function makeBuilder (settings: BatchConfig, { rate, whenFull }: ProducerConfig, deps: PipelineDeps, router: Router, producer: Producing, refuse: (batch: Batch) => void): BatchBuilder {
  const limits = deps.transport.limits
  // A value the user set and the transport lowers is worth a warning; a default is not.
  const fit = (flag: string, asked: number, explicit: boolean, limit: number, why = ''): number => {
    const got = Math.min(asked, limit)
    if (explicit && got < asked) deps.warn(`kprod: ${flag} ${asked} lowered to ${got} to fit the limits of ${targetName(router)}${why}`)
    return got
  }
  // Under --rate or --rate-bytes a batch is at most one burst of the limit, so it goes out evenly.
  const cap = rate === null ? { records: Infinity, bytes: Infinity } : batchCap(rate)
  const maxBytes = Math.min(cap.bytes, fit('--batch-bytes', settings.batchBytes, settings.batchBytesExplicit, limits.maxBatchBytes))
  const maxRecords = Math.min(cap.records, fit('--batch-records', settings.batchRecords, settings.batchRecordsExplicit, limits.maxBatchRecords, router.batchRecordsNote))
  return new BatchBuilder({
    ...(router.batchKey === undefined ? {} : { batchKey: router.batchKey }),
    maxRecords,
    maxBytes,
    minRecords: Math.min(settings.minRecords, maxRecords),
    minBytes: Math.min(settings.minBytes, maxBytes),
    lingerMs: settings.lingerMs,
    clock: deps.clock,
    onBatch: (batch) => {
      if (whenFull !== 'block' && producer.full) refuse(batch)
      else producer.enqueue(batch)
    }
  })
}

/** Reads every input line into the builder; resolves at end of input or on the stop signal. */
async function read (input: InputConfig, whenFull: ProducerConfig['whenFull'], deps: PipelineDeps, router: Router, builder: BatchBuilder, producer: Producing, reporter: Reporter, pool: ChunkPool, sources: SourceLines, signal: AbortSignal, checkpoint: Checkpoint | null): Promise<InputTotals> {
  const maxRecordBytes = deps.transport.limits.maxRecordBytes
  const sizeLimitName = router.sizeLimitName
  const sink: InputSink = {
    record (record: InputRecord): void {
      reporter.lineRead()
      const size = recordBytes(record)
      if (size > maxRecordBytes) {
        reporter.skipped(record.lineNo, 'KPROD_RECORD_TOO_LARGE', `line ${record.lineNo} is a record of ${size} bytes, over the ${maxRecordBytes}-byte limit of ${sizeLimitName}`, record.line)
        checkpoint?.done(record.lineNo)
        return
      }
      const problem = router.refuse(record)
      if (problem !== null) {
        reporter.skipped(record.lineNo, 'KPROD_INVALID_RECORD', problem, record.line)
        checkpoint?.done(record.lineNo)
        return
      }
      const place = router.place(record)
      if (typeof place === 'string') {
        reporter.skipped(record.lineNo, 'KPROD_INVALID_RECORD', place, record.line)
        checkpoint?.done(record.lineNo)
        return
      }
      builder.add(record, place.partition, place.pinned)
    },
    skipped (lineNo, _origin, reason, line, code): void {
      reporter.lineRead()
      reporter.skipped(lineNo, code, reason, line)
      checkpoint?.done(lineNo)
    },
    ready (): Promise<void> | undefined {
      return whenFull === 'block' && producer.full ? producer.whenNotFull() : undefined
    },
    ...(checkpoint === null
      ? {}
      : {
          sourceStart: (index: number, _name: string, linesBefore: number) => checkpoint.sourceStart(index, linesBefore),
          position: (lineNo: number, offset: number) => checkpoint.position(lineNo, offset),
          alreadyDone: (lineNo: number) => checkpoint.alreadyDoneLine(lineNo)
        })
  }
  return await readInput({
    sources: input.files,
    get stdin () { return deps.stdin },
    stdinPipe: deps.stdinPipe ?? null,
    maxLineBytes: input.maxLineBytes,
    keySeparator: input.keySeparator,
    missingKey: input.missingKey,
    emptyLines: input.emptyLines,
    nullEmpty: input.nullEmpty,
    delimiter: input.delimiter,
    rawInput: input.rawInput,
    format: input.format,
    json: router.json,
    clock: deps.clock,
    signal,
    pool,
    ...(checkpoint === null ? {} : { resume: (index: number) => checkpoint.resume(index) }),
    onSource: (name, firstLineNo) => { sources.add(name, firstLineNo) },
    onRead: (bytes) => { reporter.inputRead(bytes) }
  }, sink)
}

/**
 * Waits for every batch. After a stop signal, only until --drain-timeout or a second signal; after
 * end of input, only until --flush-timeout (when set). Either deadline gives up on what is still
 * pending through producer.abort(). Returns why a --flush-timeout ended the run, or null.
 */
async function drain (settings: ProducerConfig, deps: PipelineDeps, producer: Producing, reporter: Reporter): Promise<ErrorData | null> {
  if (!deps.stop.aborted) {
    // Input ended normally; a later signal still gets its drain deadline.
    const stopped = new Promise<'stopped'>((resolve) => deps.stop.addEventListener('abort', () => resolve('stopped'), { once: true }))
    const done = producer.drain().then(() => 'done' as const)
    const flushDeadline = deadlineAfter(deps.clock, settings.flushTimeoutMs)
    const first = await Promise.race([done, stopped, flushDeadline.passed])
    flushDeadline.cancel()
    if (first === 'done') return null
    if (first === 'deadline') return await giveUpAtFlushTimeout(settings, producer, reporter)
  }
  const giveUp = new AbortController()
  const timer = deps.clock.setTimeout(() => giveUp.abort(), settings.drainTimeoutMs)
  const onAbort = (): void => giveUp.abort()
  deps.abort.addEventListener('abort', onAbort, { once: true })
  if (deps.abort.aborted) giveUp.abort()
  try {
    const settled = producer.drain().then(() => true)
    const gaveUp = new Promise<boolean>((resolve) => giveUp.signal.addEventListener('abort', () => resolve(false), { once: true }))
    if (!(await Promise.race([settled, gaveUp]))) {
      producer.abort(errorData('KPROD_INTERRUPTED', deps.abort.aborted ? 'interrupted by a second signal' : `interrupted: --drain-timeout of ${settings.drainTimeoutMs} ms passed`))
      await producer.drain()
    }
  } finally {
    deps.clock.clearTimeout(timer)
    deps.abort.removeEventListener('abort', onAbort)
  }
  return null
}

/** Resolves `passed` after `ms` on `clock`; never when `ms` is 0. */
function deadlineAfter (clock: Clock, ms: number): { passed: Promise<'deadline'>, cancel: () => void } {
  let timer: TimerHandle | null = null
  const passed = new Promise<'deadline'>((resolve) => {
    if (ms > 0) timer = clock.setTimeout(() => resolve('deadline'), ms)
  })
  return { passed, cancel: () => { if (timer !== null) clock.clearTimeout(timer) } }
}

/**
 * The --flush-timeout deadline passed with records still pending: the same give-up as a drain
 * deadline (never-sent records unsent, in-flight ones unknown, ones between attempts keep their
 * last error), then the sent/remaining report for the summary. `remaining` counts every record
 * without a final outcome, so records waiting for a retry are included.
 */
async function giveUpAtFlushTimeout (settings: ProducerConfig, producer: Producing, reporter: Reporter): Promise<ErrorData> {
  const remaining = producer.bufferedRecords
  const reason = errorData('KPROD_FLUSH_TIMEOUT', `--flush-timeout of ${settings.flushTimeoutMs} ms passed after end of input`)
  producer.abort(reason)
  await producer.drain()
  const { delivered } = reporter.counts
  return errorData(reason.code, `${reason.text}: ${delivered} ${delivered === 1 ? 'record' : 'records'} delivered, ${remaining} still pending (buffered, in flight or waiting for a retry) given up`)
}
