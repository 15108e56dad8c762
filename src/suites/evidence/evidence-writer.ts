import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertCount } from '../../core/index.js';
import type { AttemptResult } from '../types.js';
import { BufferedLog } from './buffered-log.js';
import { copyReport, hasErrorCode } from './report-copy.js';
import { toCtrf } from './ctrf.js';
import { describeEnvironment } from './environment.js';
import { assertAttempt, assertSuiteName, EvidenceError } from './evidence-error.js';
import { toJunitXml } from './junit.js';
import { attemptPath, LAYOUT, suitePath } from './layout.js';
import { buildManifest, type EvidenceManifest, type EvidenceRun } from './manifest.js';
import { toSummaryMarkdown } from './summary-md.js';
import { SerialQueue, writeFileAtomic } from './write-queue.js';

/** Where an attempt's files go. */
export interface AttemptPaths {
  /** `<evidence>/suites/<name>/attempt-N`, absolute. */
  readonly dir: string;
  /** `<dir>/out`, absolute: the suite's `{out}` folder for the attempt. */
  readonly outDir: string;
  /** `suites/<name>/attempt-N`, relative to the evidence folder: an `AttemptResult`'s `dir`. */
  readonly relativeDir: string;
}

/** The stream a line of a suite's output came from. */
export type OutputStream = 'stdout' | 'stderr';

/** Options of `EvidenceWriter.create`. */
export interface EvidenceWriterOptions {
  /**
   * How long a line may wait in memory before it is written, in milliseconds.
   * @default 200
   */
  readonly flushIntervalMs?: number;
  /**
   * How many characters a log buffers before it is written at once.
   * @default 65536
   */
  readonly flushChars?: number;
  /** The environment the manifest's CI detection reads. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** One attempt's logs and line counts. */
interface AttemptLogs {
  readonly suiteLog: BufferedLog;
  readonly attemptLog: BufferedLog;
  readonly lines: { stdout: number; stderr: number };
}

/**
 * Writes the evidence folder of one suite run: each suite's output (whole and per attempt), each
 * attempt's result and raw report, then at the end `results.ctrf.json`, `junit.xml`, `summary.md` and
 * `manifest.json` (last, so a folder with a manifest is complete).
 *
 * Every write goes through one serial queue, so suites finishing at the same time never interleave
 * within a file; the JSON, XML and Markdown files are written to a temporary name and renamed, so a crash
 * never leaves half of one. Output lines wait in memory and are appended in batches (when a log holds
 * `flushChars`, after `flushIntervalMs`, when an attempt finishes, and at `finish`), in the order given.
 */
export class EvidenceWriter {
  /** The evidence folder, absolute. */
  readonly dir: string;
  readonly #queue = new SerialQueue();
  readonly #logs = new Map<string, BufferedLog>();
  readonly #attempts = new Map<string, AttemptLogs>();
  readonly #flushIntervalMs: number;
  readonly #flushChars: number;
  readonly #env: NodeJS.ProcessEnv;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;

  private constructor(dir: string, options: Required<EvidenceWriterOptions>) {
    this.dir = dir;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#flushChars = options.flushChars;
    this.#env = options.env;
  }

  /**
   * Makes the evidence folder `dir` (and its parents) and a writer for it. An existing folder is used
   * only when empty, so one run's evidence never mixes with another's.
   * @throws EvidenceError `E_INVALID_ARGUMENT` when `dir` is a file or a folder that is not empty;
   * InvalidArgumentError for a bad option.
   */
  static async create(dir: string, options: EvidenceWriterOptions = {}): Promise<EvidenceWriter> {
    const root = resolve(dir);
    const settings: Required<EvidenceWriterOptions> = {
      flushIntervalMs: assertCount('flushIntervalMs', options.flushIntervalMs ?? 200, 0),
      flushChars: assertCount('flushChars', options.flushChars ?? 65_536, 1),
      env: options.env ?? process.env,
    };
    const refuse = (why: string, cause?: unknown): EvidenceError =>
      new EvidenceError(
        'E_INVALID_ARGUMENT',
        `Cannot write the evidence into ${root}: ${why}. Give a new or empty folder, so that one run's ` +
          'evidence never mixes with another’s.',
        { cause },
      );
    try {
      await mkdir(root, { recursive: true });
    } catch (error) {
      if (hasErrorCode(error, 'EEXIST', 'ENOTDIR')) throw refuse('it is not a folder', error);
      throw error;
    }
    const entries = await readdir(root);
    if (entries.length > 0) {
      const shown = entries.slice(0, 3).join(', ');
      throw refuse(`the folder is not empty (it holds ${shown}${entries.length > 3 ? ', …' : ''})`);
    }
    try {
      // Not recursive: of two writers given the same empty folder at once, only one makes it.
      await mkdir(join(root, LAYOUT.suites));
    } catch (error) {
      if (hasErrorCode(error, 'EEXIST')) throw refuse('another writer took the folder', error);
      throw error;
    }
    return new EvidenceWriter(root, settings);
  }

  /**
   * Makes (synchronously, so the suite can start at once) `suites/<name>/attempt-N` and its `out` folder,
   * and returns their paths.
   * @throws EvidenceError `E_INVALID_ARGUMENT` for an unsafe suite name or an attempt below 1; `E_STATE`
   * after `finish`.
   */
  attemptDir(suite: string, attempt: number): AttemptPaths {
    this.#assertOpen();
    const relativeDir = attemptPath(suite, attempt);
    const dir = join(this.dir, relativeDir);
    const outDir = join(dir, LAYOUT.attemptOut);
    mkdirSync(outDir, { recursive: true });
    return { dir, outDir, relativeDir };
  }

  /**
   * Adds one line of a suite's output to its `stdout.log` and to the attempt's `output.log`, in memory
   * until the next batch is written. A suite's lines keep the order of the calls; the first line of
   * attempt 2 and later is preceded, in `stdout.log`, by a `--- attempt N ---` line.
   * @throws EvidenceError as `attemptDir` does.
   */
  line(suite: string, attempt: number, stream: OutputStream, line: string): void {
    this.#assertOpen();
    const logs = this.#attemptLogs(suite, attempt);
    logs.lines[stream] += 1;
    logs.suiteLog.push(line);
    logs.attemptLog.push(line);
    if (logs.suiteLog.pending >= this.#flushChars) this.#flush(logs.suiteLog);
    if (logs.attemptLog.pending >= this.#flushChars) this.#flush(logs.attemptLog);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flushAll();
      }, this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Records that an attempt ended: writes its lines so far, its `attempt.json` (the result, with how many
   * lines each stream gave) and a copy of its raw report when `reportPath` names one that exists (a file
   * or a folder; one already inside the attempt's folder, such as in `out/`, is left where it is).
   * Resolves to the report's path relative to the evidence folder, or `null` without one.
   * @throws EvidenceError as `attemptDir` does; the file system's error when a write fails.
   */
  async attemptFinished(suite: string, result: AttemptResult, reportPath?: string): Promise<string | null> {
    this.#assertOpen();
    const logs = this.#attemptLogs(suite, result.attempt);
    this.#flush(logs.suiteLog);
    this.#flush(logs.attemptLog);
    const dir = join(this.dir, attemptPath(suite, result.attempt));
    const document = { ...result, outputLines: { ...logs.lines } };
    return this.#queue.run(async () => {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(join(dir, LAYOUT.attemptResult), `${JSON.stringify(document, null, 2)}\n`);
      return reportPath === undefined ? null : copyReport(this.dir, dir, reportPath);
    });
  }

  /** Writes every line waiting; rejects with the first write that failed since the start. */
  async flush(): Promise<void> {
    this.#flushAll();
    await this.#queue.drain();
  }

  /**
   * Ends the folder: writes the lines still waiting, makes sure every suite that ran has its logs, then
   * writes `results.ctrf.json`, `junit.xml`, `summary.md` and, last, `manifest.json`, each atomically.
   * Resolves to the manifest once everything is on disk.
   * @throws EvidenceError `E_STATE` when called twice; the first write that failed since the start (the
   * other files are still written).
   */
  async finish(run: EvidenceRun): Promise<EvidenceManifest> {
    this.#assertOpen();
    for (const suite of run.suites) assertSuiteName(suite.name);
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushAll();
    const logged = new Set<string>();
    for (const suite of run.suites) {
      const suiteDir = join(this.dir, suitePath(suite.name));
      const attempts = suite.attempts.map((a) => attemptPath(suite.name, a.attempt, LAYOUT.attemptLog));
      const ran = attempts.length > 0 || this.#logs.has(suitePath(suite.name, LAYOUT.suiteLog));
      if (ran) logged.add(suite.name);
      // Every suite gets its folder, and every suite that ran its logs, even empty: the links resolve.
      void this.#queue.run(async () => {
        await mkdir(suiteDir, { recursive: true });
        if (!ran) return;
        for (const file of [suitePath(suite.name, LAYOUT.suiteLog), ...attempts]) {
          await this.#log(file).append('');
        }
      });
    }
    const hasLog = (name: string): boolean => logged.has(name);
    const manifest = buildManifest(run, describeEnvironment(this.#env), hasLog);
    const files: [string, string][] = [
      [LAYOUT.ctrf, `${JSON.stringify(toCtrf(run, randomUUID()), null, 2)}\n`],
      [LAYOUT.junit, toJunitXml(run)],
      [LAYOUT.summary, toSummaryMarkdown(run, hasLog)],
      [LAYOUT.manifest, `${JSON.stringify(manifest, null, 2)}\n`],
    ];
    for (const [name, text] of files) void this.#queue.run(() => writeFileAtomic(join(this.dir, name), text));
    await this.#queue.drain();
    return manifest;
  }

  #assertOpen(): void {
    if (!this.#finished) return;
    throw new EvidenceError(
      'E_STATE',
      `The evidence of ${this.dir} is finished: nothing more can be written`,
    );
  }

  /** The log at `relativePath`, made on first use. */
  #log(relativePath: string): BufferedLog {
    let log = this.#logs.get(relativePath);
    if (log === undefined) {
      log = new BufferedLog(join(this.dir, relativePath));
      this.#logs.set(relativePath, log);
    }
    return log;
  }

  #attemptLogs(suite: string, attempt: number): AttemptLogs {
    // Only checked names and numbers are ever stored, so a hit needs no check (this runs for every line).
    const key = `${suite}\n${attempt}`;
    let logs = this.#attempts.get(key);
    if (logs === undefined) {
      assertSuiteName(suite);
      assertAttempt(attempt);
      const attemptLog = attemptPath(suite, attempt, LAYOUT.attemptLog);
      logs = {
        suiteLog: this.#log(suitePath(suite, LAYOUT.suiteLog)),
        attemptLog: this.#log(attemptLog),
        lines: { stdout: 0, stderr: 0 },
      };
      this.#attempts.set(key, logs);
      if (attempt > 1) logs.suiteLog.push(`--- attempt ${attempt} (${attemptLog}) ---`);
    }
    return logs;
  }

  /** Queues the append of what `log` holds; the queue keeps appends in the order they were taken. */
  #flush(log: BufferedLog): void {
    if (log.pending === 0) return;
    const text = log.take();
    void this.#queue.run(() => log.append(text));
  }

  #flushAll(): void {
    for (const log of this.#logs.values()) this.#flush(log);
  }
}
