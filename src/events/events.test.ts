import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { JsonlSink } from './jsonl-sink.js';
import { formatSseMessage, SseSink } from './sse.js';
import { subjectOf, type FlotillaEvent, type SequencedEvent } from './types.js';

const log = (seq: number, line: string): SequencedEvent => ({
  seq,
  type: 'job.log',
  jobId: 'job-1',
  stream: 'stdout',
  line,
  at: '2026-11-22T08:00:00.000Z',
});

describe('EventBus', () => {
  it('delivers to every listener in order, survives a throwing listener, and unsubscribes', () => {
    const errors: unknown[] = [];
    const bus = new EventBus({ onListenerError: (error) => errors.push(error) });
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = bus.subscribe((event) => seen.push(event.seq));
    bus.publish(log(1, 'a'));
    bus.publish(log(2, 'b'));
    off();
    bus.publish(log(3, 'c'));
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(3);
    expect(bus.listenerCount).toBe(1);
  });
});

describe('SSE', () => {
  it('formats id, event and multi-line data as the SSE wire format wants', () => {
    expect(formatSseMessage({ id: 7, event: 'log', data: 'one\ntwo' })).toBe(
      'id: 7\nevent: log\ndata: one\ndata: two\n\n',
    );
    expect(formatSseMessage({ data: '[DONE]' })).toBe('data: [DONE]\n\n');
  });

  it('writes each event with its seq as the id so Last-Event-ID can resume', () => {
    const chunks: string[] = [];
    const sink = new SseSink((chunk) => chunks.push(chunk), {
      eventName: (event) => event.type.split('.')[1]!,
    });
    sink.write(log(41, 'hello'));
    sink.heartbeat();
    expect(chunks[0]).toMatch(/^id: 41\nevent: log\ndata: \{.*"line":"hello".*\}\n\n$/);
    expect(JSON.parse(chunks[0]!.split('data: ')[1]!)).toMatchObject({ seq: 41, line: 'hello' });
    expect(chunks[1]).toBe(': keep-alive\n\n');
  });
});

describe('JsonlSink', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON document per line, across sinks on the same file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-jsonl-'));
    const path = join(dir, 'nested', 'events.jsonl');
    const first = new JsonlSink(path);
    first.write(log(1, 'a'));
    await first.close();
    const second = new JsonlSink(path);
    second.write(log(2, 'b'));
    await second.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { line: string }).line)).toEqual(['a', 'b']);
  });
});

describe('subjectOf', () => {
  it('names the job or run an event belongs to', () => {
    const run: FlotillaEvent = {
      type: 'item.status',
      runId: 'run-1',
      itemId: 'a:b:0',
      status: 'running',
      at: '',
    };
    expect(subjectOf(log(1, 'x'))).toBe('job-1');
    expect(subjectOf(run)).toBe('run-1');
  });
});
