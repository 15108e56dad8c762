import { describe, expect, it } from 'vitest';
import { BoundedText } from './bounded-text.js';
import { createOutputParser, MAX_OUTPUT_BYTES, substituteArgv } from './index.js';

function parse(format: 'text' | 'claude-stream-json' | 'codex-json', lines: string[]) {
  const parser = createOutputParser(format);
  for (const line of lines) parser.push(line);
  return parser.finish();
}

describe('claude-stream-json', () => {
  it('skips lines that are not JSON objects, or are cut short', () => {
    const parsed = parse('claude-stream-json', [
      'Warning: something',
      '[1, 2]',
      '{"type":"result","result":"cut',
      '',
      '{"type":"result","result":"fine","usage":{"input_tokens":"many","output_tokens":2}}',
    ]);
    expect(parsed).toEqual({ output: 'fine', usage: { inputTokens: 0, outputTokens: 2 } });
  });

  it('falls back to the last assistant text when no result line came', () => {
    const assistant = (text: string) =>
      JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text }] } });
    expect(parse('claude-stream-json', [assistant('first'), assistant('last')])).toEqual({ output: 'last' });
  });

  it('reads cost_usd from older versions', () => {
    const parsed = parse('claude-stream-json', [
      JSON.stringify({ type: 'result', result: 'x', cost_usd: 0.5 }),
    ]);
    expect(parsed.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0.5 });
  });
});

describe('codex-json', () => {
  it('fails on turn.failed but not on an error it recovered from', () => {
    const recovered = parse('codex-json', [
      JSON.stringify({ type: 'error', message: 'Reconnecting... 1/5' }),
    ]);
    expect(recovered).toEqual({ output: '', error: 'Reconnecting... 1/5' });
    const failed = parse('codex-json', [
      JSON.stringify({ type: 'turn.failed', error: { message: 'usage limit reached' } }),
    ]);
    expect(failed).toEqual({ output: '', error: 'usage limit reached', failed: true });
  });

  it('ignores events it does not know', () => {
    expect(parse('codex-json', ['{"type":"item.updated","item":{}}', 'plain text', '{}'])).toEqual({
      output: '',
    });
  });
});

describe('text', () => {
  it('keeps the last MAX_OUTPUT_BYTES of the output', () => {
    const line = 'x'.repeat(1023);
    const parsed = parse(
      'text',
      Array.from({ length: 2048 }, (_, i) => (i === 2047 ? 'end' : line)),
    );
    expect(Buffer.byteLength(parsed.output)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    expect(parsed.output.endsWith(`${line}\nend`)).toBe(true);
    expect(parsed.output.startsWith('x')).toBe(true);
  });

  it('keeps the end of one line longer than the bound', () => {
    const text = new BoundedText(10);
    text.push('short');
    text.push('0123456789abcdef');
    expect(text.toString()).toBe('6789abcdef');
  });
});

describe('substituteArgv', () => {
  it('substitutes in one pass, inside items', () => {
    const argv = substituteArgv(['agent', '--id={job_id}', '{prompt}', '{workspace}/{job_id}'], {
      prompt: '{job_id} {workspace}',
      job_id: 'j',
      workspace: '/w',
    });
    expect(argv).toEqual(['agent', '--id=j', '{job_id} {workspace}', '/w/j']);
  });

  it('keeps $ and $& in values literal', () => {
    const argv = substituteArgv(['a', '{prompt}'], { prompt: "$& $1 $' $`", job_id: '', workspace: '' });
    expect(argv).toEqual(['a', "$& $1 $' $`"]);
  });
});
