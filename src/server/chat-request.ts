import { z } from 'zod';
import type { ResolvedConfig } from '../config/index.js';
import { JobRequestError, parseJobInput } from '../jobs/index.js';
import { modelNotFound } from './openai-models.js';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

/** A text part of a multi-part message; other kinds (images, audio) cannot reach a CLI agent. */
const textPartSchema = z.object({
  type: z.literal('text', { error: 'expected a text part ({type: "text", text})' }),
  text: z.string({ error: 'expected a string' }),
});

const messageSchema = z.object({
  role: z.enum(ROLES, { error: `expected one of: ${ROLES.join(', ')}` }),
  content: z.union([z.string(), z.array(textPartSchema), z.null()], {
    error: 'expected a string or a list of text parts',
  }),
  name: z.string({ error: 'expected a string' }).optional(),
});

/**
 * The body of `POST /v1/chat/completions` in OpenAI's format. Sampling options that a CLI agent cannot
 * honour (`temperature`, `max_tokens`, …) are accepted and ignored, as OpenAI-compatible servers do.
 */
export const chatRequestSchema = z.looseObject({
  model: z.string({ error: 'expected the name of an agent profile' }).min(1, 'expected a non-empty string'),
  messages: z
    .array(messageSchema, { error: 'expected a list of messages' })
    .min(1, 'expected at least one message'),
  stream: z.boolean({ error: 'expected true or false' }).optional(),
  stream_options: z
    .looseObject(
      { include_usage: z.boolean({ error: 'expected true or false' }).optional() },
      { error: 'expected an object' },
    )
    .nullish(),
  user: z.string({ error: 'expected a string' }).optional(),
});

/** A validated chat request. */
export type ChatRequest = z.output<typeof chatRequestSchema>;
/** One message of a chat request. */
export type ChatMessage = ChatRequest['messages'][number];

/**
 * Validates a chat request. Throws `JobRequestError` naming the failing field (`messages.2.role`, …),
 * or `modelNotFound` when `model` names no configured agent profile.
 */
export function parseChatRequest(input: unknown, config: Pick<ResolvedConfig, 'agents'>): ChatRequest {
  const request = parseJobInput(chatRequestSchema, input);
  if (!Object.hasOwn(config.agents, request.model)) throw modelNotFound(request.model, config, 'model');
  if (!request.messages.some((message) => message.role === 'user' && textOf(message) !== '')) {
    throw new JobRequestError('messages', 'expected a user message with text');
  }
  return request;
}

const CONTEXT_HEADING = 'Earlier messages of this conversation, for context:';
const TASK_HEADING = 'Reply to this message:';

/**
 * The messages as one prompt for an agent: the last user message is the task; every other message,
 * in order, is the context before it.
 *
 * A single user message is sent as it is.
 */
export function renderPrompt(messages: readonly ChatMessage[]): string {
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const task = textOf(messages[lastUser]!);
  const context = messages
    .filter((message, index) => index !== lastUser && textOf(message) !== '')
    .map((message) => `[${message.name ?? message.role}]\n${textOf(message)}`);
  if (context.length === 0) return task;
  return `${CONTEXT_HEADING}\n\n${context.join('\n\n')}\n\n${TASK_HEADING}\n${task}`;
}

function textOf(message: ChatMessage): string {
  const { content } = message;
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('\n');
}
