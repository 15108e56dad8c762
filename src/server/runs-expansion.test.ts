import { describe, expect, it } from 'vitest';
import { createHarness } from './server.fixture.js';

describe('POST /v1/runs with YAML whose aliases expand hugely', () => {
  it('is refused with 400 naming the workflow, and stores nothing', async () => {
    const harness = await createHarness();
    const { url } = await harness.listen();
    // 50 KB of YAML standing for 4.5 MB of data: a 50 KB string and 89 aliases of it.
    const copies = Array.from({ length: 89 }, () => '*a').join(', ');
    const workflow = `schema_version: 1
workflow: { id: boom }
inputs:
  big: { type: array, default: [&a "${'x'.repeat(50 * 1024)}", ${copies}] }
steps:
  - { id: wait, type: gate }
`;
    const response = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflow }),
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text.length).toBeLessThan(1000);
    expect(JSON.parse(text)).toMatchObject({
      error: {
        code: 'E_WORKFLOW_INVALID',
        field: 'workflow',
        message: expect.stringMatching(
          /^<inline>: its aliases \(\*name\) expand it to more than 4 MiB/,
        ) as unknown,
      },
    });
    expect(harness.store.runs.list({}).items).toEqual([]);
  });
});
