import { field, isObject, numberField, parseJsonObject, stringField } from './json-fields.js';
import type { AgentUsage, OutputParser, ParsedOutput } from './types.js';

/** The item types that carry the agent's answer (`assistant_message` in early versions). */
const MESSAGE_ITEM_TYPES = new Set(['agent_message', 'assistant_message']);

/**
 * Reads `codex exec --json`: one JSON object per line. Fields relied on, all optional; lines that are not
 * JSON objects, and event types not listed, are skipped:
 *
 * - `{"type":"item.completed","item":{"type":"agent_message","text":"…"}}` — the last one is the output;
 * - `{"type":"turn.completed","usage":{"input_tokens":n,"cached_input_tokens":n,"output_tokens":n}}` —
 *   summed over turns (`input_tokens` includes the cached ones, as Codex counts them);
 * - `{"type":"turn.failed","error":{"message":"…"}}` — the run failed, even if Codex exits 0;
 * - `{"type":"error","message":"…"}` — the last one explains a failure (Codex also reports errors it
 *   recovers from, such as a reconnect, so this alone does not fail the run);
 * - the earlier protocol, `{"id":…,"msg":{"type":"agent_message","message":"…"}}`, `{"msg":{"type":
 *   "token_count","input_tokens":n,…}}` or `{"msg":{"type":"token_count","info":{"total_token_usage":
 *   {…}}}}` (a running total: the last one counts), and `{"msg":{"type":"error","message":"…"}}`.
 */
export class CodexJsonParser implements OutputParser {
  #message: string | undefined;
  #error: string | undefined;
  #turnFailed = false;
  #turnUsage: { input: number; cached: number; output: number } | undefined;
  #legacyUsage: AgentUsage | undefined;

  push(line: string): void {
    const event = parseJsonObject(line);
    if (event === undefined) return;
    if (isObject(event.msg)) {
      this.#legacy(event.msg);
      return;
    }
    switch (event.type) {
      case 'item.completed': {
        const item = event.item;
        const type = stringField(item, 'type') ?? stringField(item, 'item_type');
        const text = stringField(item, 'text');
        if (type !== undefined && MESSAGE_ITEM_TYPES.has(type) && text !== undefined) this.#message = text;
        break;
      }
      case 'turn.completed': {
        const usage = event.usage;
        const turn = this.#turnUsage ?? { input: 0, cached: 0, output: 0 };
        turn.input += numberField(usage, 'input_tokens') ?? 0;
        turn.cached += numberField(usage, 'cached_input_tokens') ?? 0;
        turn.output += numberField(usage, 'output_tokens') ?? 0;
        this.#turnUsage = turn;
        break;
      }
      case 'turn.failed':
        this.#error = stringField(event.error, 'message') ?? 'the turn failed';
        this.#turnFailed = true;
        break;
      case 'error':
        this.#error = stringField(event, 'message') ?? 'the agent reported an error';
        break;
    }
  }

  finish(): ParsedOutput {
    const turn = this.#turnUsage;
    const usage: AgentUsage | undefined =
      turn === undefined
        ? this.#legacyUsage
        : { inputTokens: turn.input, outputTokens: turn.output, cacheReadTokens: turn.cached };
    return {
      output: this.#message ?? '',
      ...(usage === undefined ? {} : { usage }),
      ...(this.#error === undefined ? {} : { error: this.#error }),
      ...(this.#turnFailed ? { failed: true } : {}),
    };
  }

  #legacy(msg: Record<string, unknown>): void {
    switch (msg.type) {
      case 'agent_message': {
        const text = stringField(msg, 'message');
        if (text !== undefined) this.#message = text;
        break;
      }
      case 'token_count': {
        const total = field(field(msg, 'info'), 'total_token_usage');
        const source = isObject(total) ? total : msg;
        const inputTokens = numberField(source, 'input_tokens');
        const outputTokens = numberField(source, 'output_tokens');
        if (inputTokens === undefined && outputTokens === undefined) break;
        const cacheReadTokens = numberField(source, 'cached_input_tokens');
        this.#legacyUsage = {
          inputTokens: inputTokens ?? 0,
          outputTokens: outputTokens ?? 0,
          ...(cacheReadTokens === undefined ? {} : { cacheReadTokens }),
        };
        break;
      }
      case 'error':
        this.#error = stringField(msg, 'message') ?? 'the agent reported an error';
        break;
    }
  }
}
