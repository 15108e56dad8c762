import { field, numberField, parseJsonObject, stringField } from './json-fields.js';
import type { AgentUsage, OutputParser, ParsedOutput } from './types.js';

/**
 * Reads `claude -p --output-format stream-json` (add `--verbose`, which the CLI requires for it): one
 * JSON object per line. Fields relied on, all optional; lines that are not JSON objects are skipped:
 *
 * - `{"type":"assistant","message":{"content":[{"type":"text","text":"…"}, …]}}` — the text of the last
 *   assistant message is the output when no result line comes (the agent died mid-way);
 * - `{"type":"result","subtype":"success"|"error_…","is_error":bool,"result":"…","total_cost_usd":n,
 *   "usage":{"input_tokens":n,"output_tokens":n,"cache_read_input_tokens":n,
 *   "cache_creation_input_tokens":n}}` — the final answer, usage and cost (`cost_usd` is read when
 *   `total_cost_usd` is absent, as older versions printed). `is_error: true` makes the run fail.
 */
export class ClaudeStreamJsonParser implements OutputParser {
  #lastAssistantText: string | undefined;
  #result: Record<string, unknown> | undefined;

  push(line: string): void {
    const event = parseJsonObject(line);
    if (event === undefined) return;
    if (event.type === 'result') this.#result = event;
    else if (event.type === 'assistant') {
      const text = assistantText(field(event, 'message'));
      if (text !== undefined) this.#lastAssistantText = text;
    }
  }

  finish(): ParsedOutput {
    const result = this.#result;
    if (result === undefined) return { output: this.#lastAssistantText ?? '' };
    const output = stringField(result, 'result') ?? this.#lastAssistantText ?? '';
    const usage = claudeUsage(result);
    const failed = result.is_error === true;
    const error = failed
      ? output || (stringField(result, 'subtype') ?? 'the agent reported an error')
      : undefined;
    return {
      output,
      ...(usage === undefined ? {} : { usage }),
      ...(error === undefined ? {} : { error, failed: true }),
    };
  }
}

/** The text blocks of an assistant message, joined; `undefined` when it has none. */
function assistantText(message: unknown): string | undefined {
  const content = field(message, 'content');
  if (!Array.isArray(content)) return undefined;
  const texts = content
    .filter((block) => field(block, 'type') === 'text')
    .map((block) => field(block, 'text'))
    .filter((text): text is string => typeof text === 'string');
  return texts.length === 0 ? undefined : texts.join('');
}

function claudeUsage(result: Record<string, unknown>): AgentUsage | undefined {
  const usage = field(result, 'usage');
  const costUsd = numberField(result, 'total_cost_usd') ?? numberField(result, 'cost_usd');
  const inputTokens = numberField(usage, 'input_tokens');
  const outputTokens = numberField(usage, 'output_tokens');
  if (inputTokens === undefined && outputTokens === undefined && costUsd === undefined) return undefined;
  const cacheReadTokens = numberField(usage, 'cache_read_input_tokens');
  const cacheWriteTokens = numberField(usage, 'cache_creation_input_tokens');
  return {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    ...(cacheReadTokens === undefined ? {} : { cacheReadTokens }),
    ...(cacheWriteTokens === undefined ? {} : { cacheWriteTokens }),
    ...(costUsd === undefined ? {} : { costUsd }),
  };
}
