// Prints the test totals of the last `vitest run` (its JSON report) as one plain line:
// "Tests: N passed, N failed, N skipped". Exits 1 when the report is missing or shows failures.
import { readFileSync } from 'node:fs';

const REPORT = 'test-results/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(REPORT, 'utf8'));
} catch (error) {
  console.error(`test-summary: cannot read ${REPORT}: ${error.message}`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exitCode = report.numFailedTests === 0 && report.numTotalTests > 0 ? 0 : 1;
