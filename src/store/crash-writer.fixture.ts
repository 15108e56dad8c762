/**
 * The child process of `crash.test.ts`: opens the store at the path it is given and writes in a loop —
 * jobs, events and run items, alone and in small transactions — printing one JSON line per committed
 * write (an acknowledgement) until it is killed.
 *
 * Usage: node --import tsx crash-writer.fixture.ts DB_PATH
 */
import { randomBytes } from 'node:crypto';
import { openStore } from './index.js';

/** What one acknowledged write was, so the test can look for it after the crash. */
export type Ack =
  | { readonly kind: 'run'; readonly runId: string }
  | { readonly kind: 'job'; readonly jobId: string; readonly prompt: string }
  | { readonly kind: 'event'; readonly subject: string; readonly seq: number; readonly line: string }
  | { readonly kind: 'item'; readonly runId: string; readonly itemId: string; readonly attempts: number };

/** A safety net: a writer whose test died stops on its own. */
const MAX_ITERATIONS = 2_000_000;
/** How many items the writer keeps rewriting: updates in place, not only inserts. */
const ITEM_COUNT = 50;

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-writer.fixture.ts DB_PATH');

// stdout is a pipe, and writes to pipes are synchronous on Linux: once `ack` returns, the line is in the
// pipe and reaches the test even if this process is killed on the next instruction.
function ack(value: Ack): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

const store = openStore({ path });
const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
const runId = `run-${tag}`;
const parentPid = process.ppid;
store.runs.insert({ id: runId, kind: 'demo', name: 'crash writer' });
ack({ kind: 'run', runId });

for (let i = 0; i < MAX_ITERATIONS; i++) {
  if (i % 1000 === 0 && process.ppid !== parentPid) break;
  const jobId = `job-${tag}-${i}`;
  const prompt = `prompt ${i} `.repeat(1 + (i % 20));
  const line = `line ${i}`;
  const itemId = `item-${i % ITEM_COUNT}`;
  switch (i % 3) {
    case 0: {
      // Single statements, each its own (autocommit) transaction.
      store.jobs.insert({ id: jobId, agent: 'crash', prompt, spec: { i } });
      ack({ kind: 'job', jobId, prompt });
      const event = store.events.append({
        type: 'job.log',
        jobId,
        stream: 'stdout',
        line,
        at: new Date().toISOString(),
      });
      ack({ kind: 'event', subject: jobId, seq: event.seq, line });
      break;
    }
    case 1: {
      // A small transaction: a job, its event and an item, all or nothing.
      const seq = store.transaction(() => {
        store.jobs.insert({ id: jobId, agent: 'crash', prompt, spec: { i } });
        store.items.upsert({ runId, itemId, idx: i % ITEM_COUNT, status: 'running', attempts: i });
        return store.events.appendMany([
          { type: 'job.status', jobId, status: 'queued', at: new Date().toISOString() },
          { type: 'job.log', jobId, stream: 'stderr', line, at: new Date().toISOString() },
        ])[1]!.seq;
      });
      ack({ kind: 'job', jobId, prompt });
      ack({ kind: 'item', runId, itemId, attempts: i });
      ack({ kind: 'event', subject: jobId, seq, line });
      break;
    }
    default: {
      // An in-place update of an item written before.
      store.items.upsert({
        runId,
        itemId,
        idx: i % ITEM_COUNT,
        status: 'succeeded',
        attempts: i,
        output: { i },
      });
      ack({ kind: 'item', runId, itemId, attempts: i });
    }
  }
}
store.close();
