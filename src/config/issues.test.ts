import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodIssue, forEachZodIssue } from './issues.js';

function issuesOf(schema: z.ZodType, value: unknown): z.core.$ZodIssue[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the value to be refused');
  return parsed.error.issues;
}

describe('describeZodIssue', () => {
  const schema = z.strictObject({
    messages: z.array(z.object({ role: z.string({ error: 'expected a role' }) })),
    nested: z.strictObject({ ok: z.boolean().optional() }).optional(),
  });

  it('names the dotted path, or `where` for the whole value', () => {
    const [issue] = issuesOf(schema, { messages: [{ role: 'user' }, { role: 3 }] });
    expect(describeZodIssue(issue!, 'body')).toEqual({
      field: 'messages.1.role',
      message: 'expected a role',
    });
    const [root] = issuesOf(schema, [1]);
    expect(describeZodIssue(root!, 'query').field).toBe('query');
  });

  it('names an unknown key as the field, and the fields there are when given', () => {
    const [top] = issuesOf(schema, { messages: [], shell: 'x', run: 'y' });
    expect(describeZodIssue(top!, 'body')).toEqual({
      field: 'shell',
      message: 'unknown field(s): shell, run',
    });
    const [nested] = issuesOf(schema, { messages: [], nested: { nope: 1 } });
    expect(describeZodIssue(nested!, 'body', ['ok'])).toEqual({
      field: 'nested.nope',
      message: 'unknown field(s): nope (expected one of: ok)',
    });
  });
});

describe('forEachZodIssue', () => {
  it('puts unknown keys and refused record keys at the key, the rest at the value with what was found', () => {
    const schema = z.strictObject({
      env: z.record(z.string().regex(/^[A-Z]+$/), z.string(), {
        error: (issue) => (issue.code === 'invalid_key' ? 'expected a variable name' : 'expected a mapping'),
      }),
      port: z.number({ error: 'expected a number' }),
    });
    const data = { env: { 'bad name': 'x' }, port: 'ten', extra: 1, more: 2 };
    const visits: unknown[] = [];
    forEachZodIssue(issuesOf(schema, data), data, (path, text, target) => visits.push([path, text, target]));
    expect(visits).toEqual(
      expect.arrayContaining([
        [['env', 'bad name'], 'expected a variable name, got "bad name"', 'key'],
        [['port'], 'expected a number, got "ten"', 'value'],
        [['extra'], expect.any(String), 'key'],
        [['more'], expect.any(String), 'key'],
      ]),
    );
    expect(visits).toHaveLength(4);
  });

  it('says a missing value is missing', () => {
    const schema = z.object({ port: z.number({ error: 'expected a number' }) });
    const visits: unknown[] = [];
    forEachZodIssue(issuesOf(schema, {}), {}, (path, text, target) => visits.push([path, text, target]));
    expect(visits).toEqual([[['port'], 'missing, expected a number', 'value']]);
  });
});
