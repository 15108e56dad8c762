/**
 * `npm run bench`: Flotilla against the named peers, measured side by side in one run on this
 * machine. Timing lives here, never in tests. Exits 1 when a target is missed.
 */
import { benchCore } from './core.bench.js';
import { benchHttp } from './http.bench.js';
import { benchJobs } from './jobs.bench.js';
import { benchPlan } from './plan.bench.js';
import { benchQa } from './qa.bench.js';
import { benchSuites } from './suites.bench.js';
import { benchWorkflow } from './workflow.bench.js';
import { benchWorkspace } from './workspace.bench.js';

const suites: Record<string, () => Promise<{ ok: boolean }>> = {
  core: benchCore,
  jobs: benchJobs,
  http: benchHttp,
  workspace: benchWorkspace,
  workflow: benchWorkflow,
  plan: benchPlan,
  suites: benchSuites,
  qa: benchQa,
};

const only = process.argv.slice(2);
let ok = true;
for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const result = await run();
  if (!result.ok) {
    ok = false;
    console.log(`\n✗ ${name}: a target was missed`);
  }
}
console.log(ok ? '\nAll bench targets met.' : '\nSome bench targets were missed.');
process.exitCode = ok ? 0 : 1;
