import { expect } from 'vitest';
import type { AgentProfile } from '../config/index.js';
import type { Harness } from './server.fixture.js';

/** What `claude` reports of one run of the stand-in below: its `result` line's `usage`. */
export const CLAUDE_USAGE = {
  input_tokens: 12,
  output_tokens: 34,
  cache_read_input_tokens: 100,
  cache_creation_input_tokens: 5,
};

// Prints what `claude -p --output-format stream-json --verbose` prints: an init line, the assistant's
// message, then the result with its usage.
const CLAUDE_SCRIPT = `
const prompt = process.argv[1];
const line = (value) => console.log(JSON.stringify(value));
line({ type: 'system', subtype: 'init', session_id: 's1' });
line({ type: 'assistant', message: { content: [{ type: 'text', text: 'thinking about ' + prompt }] } });
line({
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'answer to ' + prompt,
  total_cost_usd: 0.0123,
  usage: ${JSON.stringify(CLAUDE_USAGE)},
});
`;

/** A stand-in for Claude Code: a real process whose output is `claude-stream-json` with known tokens. */
export const CLAUDE_AGENT: AgentProfile = {
  type: 'cli',
  command: [process.execPath, '-e', CLAUDE_SCRIPT, '{prompt}'],
  output: 'claude-stream-json',
};

// Prints what `codex exec --json` prints: two turns, each with its usage, and the agent's message.
const CODEX_SCRIPT = `
const line = (value) => console.log(JSON.stringify(value));
line({ type: 'thread.started', thread_id: 't1' });
line({ type: 'turn.completed', usage: { input_tokens: 50, cached_input_tokens: 20, output_tokens: 7 } });
line({ type: 'item.completed', item: { type: 'agent_message', text: 'codex answer to ' + process.argv[1] } });
line({ type: 'turn.completed', usage: { input_tokens: 30, cached_input_tokens: 10, output_tokens: 3 } });
`;

/** A stand-in for Codex: a real process whose output is `codex-json` with two turns' tokens. */
export const CODEX_AGENT: AgentProfile = {
  type: 'cli',
  command: [process.execPath, '-e', CODEX_SCRIPT, '{prompt}'],
  output: 'codex-json',
};

/** The job the server shows at `GET /v1/jobs/:id`, as a user who quotes a request id looks it up. */
export async function jobAt(url: string, id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/v1/jobs/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** The pid the `sleepy` agent of job `id` printed: its grandchild's. */
export async function printedPid(harness: Harness, id: string): Promise<number> {
  for (;;) {
    const log = harness.store.events.list(id).find((event) => event.type === 'job.log');
    if (log?.type === 'job.log') return Number(log.line);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The one job the server has, once there is one. */
export async function onlyJob(harness: Harness): Promise<string> {
  for (;;) {
    const [job] = harness.store.jobs.list({}).items;
    if (job !== undefined) return job.id;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
