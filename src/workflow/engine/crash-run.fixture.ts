/**
 * A process that runs one workflow file under a home folder until it is killed (or finishes):
 * `node --import tsx crash-run.fixture.ts HOME WORKFLOW.yml`. It prints the run id on its first line.
 * The crash test SIGKILLs it mid fan-out and resumes the run in another process.
 */
import { openStore } from '../../store/index.js';
import { BUILTIN_STEP_TYPES } from '../steps/index.js';
import { WorkflowEngine } from './workflow-engine.js';

const [home, file] = process.argv.slice(2);
if (home === undefined || file === undefined) throw new Error('usage: crash-run.fixture.ts HOME WORKFLOW');
const store = openStore({ home });
const engine = new WorkflowEngine({ stepTypes: BUILTIN_STEP_TYPES, store });
await engine.start();
const definition = await engine.load(file);
const run = engine.run(definition);
process.stdout.write(`${run.id}\n`);
const view = await run.done;
process.stdout.write(`${view.status}\n`);
await engine.stop();
store.close();
