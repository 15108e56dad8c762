import { describe, expect, it } from 'vitest';
import { parseChatRequest, renderPrompt } from './chat-request.js';

const config = { agents: { claude: { type: 'cli' as const, command: ['claude', '-p', '{prompt}'] } } };

describe('renderPrompt', () => {
  it('sends a single user message as it is', () => {
    expect(renderPrompt([{ role: 'user', content: 'fix the bug' }])).toBe('fix the bug');
  });

  it('makes the last user message the task and every other message its context, in order', () => {
    const prompt = renderPrompt([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'And' },
          { type: 'text', text: 'times 3?' },
        ],
      },
    ]);
    expect(prompt).toBe(
      [
        'Earlier messages of this conversation, for context:',
        '',
        '[system]\nYou are terse.',
        '',
        '[user]\nWhat is 2+2?',
        '',
        '[assistant]\n4',
        '',
        'Reply to this message:\nAnd\ntimes 3?',
      ].join('\n'),
    );
  });
});

describe('parseChatRequest', () => {
  it('accepts OpenAI options it cannot honour', () => {
    const request = parseChatRequest(
      { model: 'claude', messages: [{ role: 'user', content: 'x' }], temperature: 0, max_tokens: 5 },
      config,
    );
    expect(request.model).toBe('claude');
  });

  it('names the failing field', () => {
    expect(() => parseChatRequest({ model: 'claude', messages: 'hi' }, config)).toThrow(
      expect.objectContaining({ field: 'messages' }),
    );
    expect(() =>
      parseChatRequest({ model: 'claude', messages: [{ role: 'user', content: 3 }] }, config),
    ).toThrow(expect.objectContaining({ field: 'messages.0.content' }));
    expect(() =>
      parseChatRequest({ model: 'x', messages: [{ role: 'user', content: 'y' }] }, config),
    ).toThrow(
      expect.objectContaining({ field: 'model', code: 'E_NOT_FOUND', openAiCode: 'model_not_found' }),
    );
  });
});
