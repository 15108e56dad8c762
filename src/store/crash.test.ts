import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ack } from './crash-writer.fixture.js';
import { SCHEMA_VERSION } from './migrations.js';
import { openStore, type Store } from './store.js';

const FIXTURE = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url));
/** tsx's loader as a URL, so that `--import` does not depend on the child's working directory. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Acknowledged writes to wait for before each kill: different counts land the kill at different moments. */
const KILL_AFTER_LINES = [300, 700, 1200] as const;

let dir: string;
let children: ReturnType<typeof spawn>[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-crash-'));
  children = [];
});
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface WriterOutcome {
  readonly acks: Ack[];
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Starts the writer on `dbPath`, SIGKILLs it once it has acknowledged `lines` writes, and collects every ack. */
function runWriterUntilKilled(dbPath: string, lines: number): Promise<WriterOutcome> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, FIXTURE, dbPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let seen = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const char of chunk) if (char === '\n') seen++;
    if (seen >= lines && child.signalCode === null) child.kill('SIGKILL');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      // Only complete lines are acknowledgements; the pipe is drained to the end before `close`.
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const acks = complete
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Ack);
      resolve({ acks, signal, stderr });
    });
  });
}

/** Every acknowledged write that the store does not hold, described; empty when none is missing. */
function missingAcks(store: Store, acks: readonly Ack[]): string[] {
  const missing: string[] = [];
  const eventsBySubject = new Map<string, Map<number, unknown>>();
  for (const ack of acks) {
    switch (ack.kind) {
      case 'run':
        if (store.runs.get(ack.runId) === undefined) missing.push(`run ${ack.runId}`);
        break;
      case 'job':
        if (store.jobs.get(ack.jobId)?.prompt !== ack.prompt) missing.push(`job ${ack.jobId}`);
        break;
      case 'item': {
        // Later writes of the same item may have committed without being acknowledged: at least this one.
        const attempts = store.items.get(ack.runId, ack.itemId)?.attempts ?? -1;
        if (attempts < ack.attempts)
          missing.push(`item ${ack.itemId} attempt ${ack.attempts} (found ${attempts})`);
        break;
      }
      case 'event': {
        let events = eventsBySubject.get(ack.subject);
        if (events === undefined) {
          const list = store.events.list(ack.subject, { limit: Infinity });
          events = new Map(list.map((event) => [event.seq, 'line' in event ? event.line : undefined]));
          eventsBySubject.set(ack.subject, events);
        }
        if (events.get(ack.seq) !== ack.line) missing.push(`event ${ack.seq} of ${ack.subject}`);
        break;
      }
    }
  }
  return missing;
}

describe('crash safety', () => {
  it('keeps every acknowledged write and an intact database across repeated SIGKILLs', async () => {
    const dbPath = join(dir, 'flotilla.db');
    const acknowledged: Ack[] = [];
    for (const lines of KILL_AFTER_LINES) {
      const outcome = await runWriterUntilKilled(dbPath, lines);
      expect(outcome.stderr).toBe('');
      expect(outcome.signal).toBe('SIGKILL');
      expect(outcome.acks.length).toBeGreaterThanOrEqual(lines);
      acknowledged.push(...outcome.acks);

      const store = openStore({ path: dbPath });
      try {
        const db = new Database(dbPath, { readonly: true });
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(db.pragma('foreign_key_check')).toEqual([]);
        } finally {
          db.close();
        }
        expect(store.settings).toMatchObject({ journalMode: 'wal', schemaVersion: SCHEMA_VERSION });
        // Every round so far, not only this one: later rounds must not lose earlier writes either.
        expect(missingAcks(store, acknowledged)).toEqual([]);
      } finally {
        store.close();
      }
    }
    expect(new Set(acknowledged.filter((ack) => ack.kind === 'run').map((ack) => ack.runId)).size).toBe(
      KILL_AFTER_LINES.length,
    );
  });
});
