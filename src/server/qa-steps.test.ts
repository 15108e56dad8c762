import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChainSite, type QaSite } from '../../test/fixtures/qa-site.js';
import { ourBrowserMains } from '../qa/browser/fixtures/chromium-processes.js';
import { createHarness, jsonRequest, matching, type Harness } from './server.fixture.js';

/** Chromium launches once per crawl; on this machine that is a second or two each. */
const TIMEOUT_MS = 60_000;

let site: QaSite;
beforeEach(async () => {
  site = await startChainSite(12);
});
afterEach(async () => {
  await site.close();
});

/** A workflow whose first step is a qa step (`http-status` only: the site's pages are bare) with `fields`. */
function workflow(fields: string, rest = ''): string {
  return [
    'schema_version: 1',
    'workflow: { id: site-check }',
    'inputs:',
    '  url: { type: string, required: true }',
    '  fail_on: { type: string, default: high }',
    'steps:',
    `  - { id: crawl, type: qa, workers: 1, rate_limit: 0, ignore_robots: true, ${fields}, checks: [http-status] }`,
    rest,
  ].join('\n');
}

async function post(harness: Harness, path: string, body: unknown) {
  const response = await harness.app.request(path, jsonRequest('POST', body));
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

interface StepView {
  readonly status: string;
  readonly output: Record<string, unknown> & { summary: Record<string, unknown> | null };
  readonly error: string | null;
}

async function ended(harness: Harness, id: string): Promise<Record<string, unknown>> {
  for (let turn = 0; turn < 3000; turn++) {
    const view = (await (await harness.app.request(`/v1/runs/${id}`)).json()) as Record<string, unknown>;
    if (view['status'] !== 'running') return view;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${id} did not end`);
}

const stepOf = (view: Record<string, unknown>, id = 'crawl'): StepView =>
  (view['steps'] as Record<string, StepView>)[id]!;

describe('qa steps in workflows', () => {
  it(
    'crawl the URL an input gives; the output is the QA run, its summary and its report in the home',
    async () => {
      const harness = await createHarness({ qa: { rate_limit: 0 } });
      const started = await post(harness, '/v1/runs', {
        workflow: workflow(
          'urls: "{{ inputs.url }}", max_pages: 3, max_depth: 5',
          '  - { id: after, type: shell, run: [echo, "{{ steps.crawl.output.summary.pages_tested }} pages"] }',
        ),
        inputs: { url: `${site.origin}/` },
      });
      expect(started.status).toBe(202);
      const view = await ended(harness, started.json['id'] as string);
      expect(view['status']).toBe('succeeded');
      const crawl = stepOf(view);
      const runId = crawl.output['run_id'] as string;
      expect(crawl.output).toEqual({
        run_id: matching(/^qa_/),
        status: 'succeeded',
        summary: {
          pages_tested: 3,
          pages_not_tested: 1,
          findings_by_severity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
          status: 'passed',
        },
        report: `${harness.config.home}/qa/${runId}/report.json`,
      });
      expect(stepOf(view, 'after').output).toMatchObject({ stdout: '3 pages' });
      const report = JSON.parse(readFileSync(crawl.output['report'] as string, 'utf8')) as {
        run: { id: string };
        pages: { url: string }[];
      };
      expect(report.run.id).toBe(runId);
      expect(report.pages.map(({ url }) => url)).toEqual([
        `${site.origin}/`,
        `${site.origin}/p/1`,
        `${site.origin}/p/2`,
      ]);
      // The step's crawl is a QA run like any other.
      const qaRun = (await (await harness.app.request(`/v1/runs/${runId}`)).json()) as Record<
        string,
        unknown
      >;
      expect(qaRun).toMatchObject({
        kind: 'qa',
        status: 'succeeded',
        spec: { max_pages: 3, fail_on: 'high' },
      });
    },
    TIMEOUT_MS,
  );

  it(
    'fail with findings at fail_on or worse, keeping the output; an expression may set fail_on',
    async () => {
      const harness = await createHarness({ qa: { rate_limit: 0 } });
      const crawl = workflow(
        'urls: ["{{ inputs.url }}", "{{ inputs.url }}missing"], max_depth: 0, fail_on: "{{ inputs.fail_on }}"',
      );
      const failing = await post(harness, '/v1/runs', {
        workflow: crawl,
        inputs: { url: `${site.origin}/` },
      });
      const failed = await ended(harness, failing.json['id'] as string);
      expect(failed['status']).toBe('failed');
      const step = stepOf(failed);
      expect(step.status).toBe('failed');
      expect(step.error).toMatch(
        /^crawl: findings at high or worse \(1 high\), 2 pages tested \(report: .*report\.json\)$/,
      );
      expect(step.output).toMatchObject({
        status: 'failed',
        summary: { pages_tested: 2, status: 'failed', findings_by_severity: { high: 1 } },
      });
      const report = JSON.parse(readFileSync(step.output['report'] as string, 'utf8')) as {
        findings: { rule: string; url: string }[];
      };
      expect(report.findings).toMatchObject([
        { check: 'http-status', rule: '4xx', url: `${site.origin}/missing` },
      ]);

      const lenient = await post(harness, '/v1/runs', {
        workflow: crawl,
        inputs: { url: `${site.origin}/`, fail_on: 'critical' },
      });
      const passed = await ended(harness, lenient.json['id'] as string);
      expect(passed['status']).toBe('succeeded');
      expect(stepOf(passed).output).toMatchObject({ status: 'succeeded', summary: { status: 'passed' } });
    },
    TIMEOUT_MS,
  );

  it('check literal fields when the file loads, and what expressions give when the step runs', async () => {
    const harness = await createHarness({ qa: { rate_limit: 0 } });
    const badField = await post(harness, '/v1/runs', {
      workflow: workflow('urls: "{{ inputs.url }}", max_pages: 0'),
    });
    expect(badField.status).toBe(400);
    expect(JSON.stringify(badField.json)).toContain(
      '<inline>:7:113: steps[0] (crawl).max_pages: expected an integer ≥ 1, got 0',
    );
    const unknown = await post(harness, '/v1/runs', {
      workflow: workflow('urls: "{{ inputs.url }}", out: /tmp'),
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain('out: unknown key');

    const local = await post(harness, '/v1/runs', {
      workflow: workflow('urls: "{{ inputs.url }}"'),
      inputs: { url: 'file:///etc/passwd' },
    });
    expect(local.status).toBe(202);
    const view = await ended(harness, local.json['id'] as string);
    expect(view['status']).toBe('failed');
    expect(stepOf(view).error).toBe('crawl.urls.0: expected an http or https URL');
    expect(harness.store.runs.list({ kind: 'qa' }).items).toEqual([]);
  });

  it(
    'stop the crawl at their timeout (timed_out, the QA run interrupted) and on cancel (cancelled), leaving no browser',
    async () => {
      const harness = await createHarness({ qa: { rate_limit: 0 } });
      // The page after the first never answers: the deadline comes while it is tested (or, on a machine
      // so busy that the browser takes that long to launch, before the crawl began).
      site.hold('/p/1');
      const slow = await post(harness, '/v1/runs', {
        workflow: workflow('urls: "{{ inputs.url }}", max_pages: 5, max_depth: 5, timeout_s: 5'),
        inputs: { url: `${site.origin}/` },
      });
      const timedOut = await ended(harness, slow.json['id'] as string);
      expect(timedOut['status']).toBe('failed');
      const step = stepOf(timedOut);
      expect(step.status).toBe('timed_out');
      expect(step.error).toMatch(/^crawl: timed out after 5 s, /);
      expect(step.output).toMatchObject({ status: 'interrupted' });
      expect(step.output.summary?.['status'] ?? 'interrupted').toBe('interrupted');
      expect(step.output.summary?.['pages_tested'] ?? 0).toBeLessThanOrEqual(1);
      expect(harness.runtime.qa.view(step.output['run_id'] as string)).toMatchObject({
        status: 'interrupted',
      });
      expect(ourBrowserMains()).toEqual([]);

      const started = await post(harness, '/v1/runs', {
        workflow: workflow('urls: "{{ inputs.url }}", max_pages: 5, max_depth: 5'),
        inputs: { url: `${site.origin}/` },
      });
      const id = started.json['id'] as string;
      await expect.poll(() => site.hits.filter((hit) => hit === '/p/1').length, { timeout: 20_000 }).toBe(2);
      expect(ourBrowserMains()).toHaveLength(1);
      const cancelled = await harness.app.request(`/v1/runs/${id}`, { method: 'DELETE' });
      expect(((await cancelled.json()) as Record<string, unknown>)['status']).toBe('cancelled');
      const [qaRun] = harness.runtime.qa.list({ limit: 1 }).items;
      expect(qaRun).toMatchObject({ status: 'cancelled', name: `${site.origin}/` });
      expect(ourBrowserMains()).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
