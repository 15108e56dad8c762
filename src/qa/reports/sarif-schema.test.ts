import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from './baseline.js';
import { HOSTILE, sampleReport } from './fixtures/sample-report.js';
import { renderSarif } from './sarif.js';

// The OASIS schema (fixtures/README.md) is draft-04 (`id`, not `$id`): ajv 6 validates it with the
// draft-04 meta-schema it ships.
const require = createRequire(import.meta.url);
const readJson = (path: string): object => JSON.parse(readFileSync(path, 'utf8')) as object;
const ajv = new Ajv({ schemaId: 'id', meta: false, allErrors: true });
ajv.addMetaSchema(readJson(require.resolve('ajv/lib/refs/json-schema-draft-04.json')));
const validate = ajv.compile(
  readJson(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url).pathname),
);

/** The schema's errors for `log` (`'No errors'` when it is valid). */
function errorsOf(log: unknown): string {
  validate(log);
  return ajv.errorsText(validate.errors);
}

describe('SARIF against the OASIS 2.1.0 schema', () => {
  it('validates a report, one compared with a baseline (fixed findings as absent) and one of hostile text', () => {
    const before = sampleReport();
    const now = sampleReport({ findings: before.findings.filter((one) => one.check !== 'http-status') });
    const logs = [
      renderSarif(before),
      renderSarif(compareWithBaseline(now, before, { failOn: 'high', newOnly: false })),
      renderSarif(
        sampleReport({
          findings: before.findings.map((one) => ({
            ...one,
            title: HOSTILE,
            message: HOSTILE,
            snippet: HOSTILE,
          })),
        }),
      ),
    ];
    for (const text of logs) expect(errorsOf(JSON.parse(text))).toBe('No errors');
  });

  it('is a check that fails: a result with a level SARIF does not have is refused', () => {
    const log = JSON.parse(renderSarif(sampleReport())) as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(errorsOf(log)).toMatch(/level/);
  });
});
