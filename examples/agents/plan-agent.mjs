#!/usr/bin/env node
// A stand-in for a coding agent working on one leaf of a plan (`flotilla plan`, docs/plan.md), bundled so
// plans run on a machine with no model. It reads the prompt a leaf gets (the task on its first line, then
// its files, one a line), and does the task the way a careful agent would: it edits only its own files,
// adding one line at the end of each that records the task. Lines of the prompt that are not files of
// its checkout are ignored.
//
// Usage: plan-agent.mjs PROMPT
//   PLAN_AGENT_ALSO=PATH      also edit PATH, a file outside the leaf (to see a scope violation or a conflict)
//   PLAN_AGENT_FAIL=TEXT      exit 1 when the leaf's path contains TEXT (to see a failing leaf)
//   PLAN_AGENT_GATE_DIR=DIR   after starting, wait until the file DIR/<leaf id> exists (tests decide when
//                             each leaf finishes)
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

const prompt = process.argv.slice(2).join(' ');
const [task = ''] = prompt.trim().split('\n');
if (task === '') {
  console.error('plan-agent: no prompt given (usage: plan-agent.mjs PROMPT)');
  process.exit(2);
}
const leaf = /\(plan leaf ([a-z0-9-]+)\)/.exec(prompt)?.[1] ?? 'leaf';
const part = /Your part is (.+?) \(plan leaf/.exec(prompt)?.[1] ?? '';

/** Whether `line` names a file of this checkout (a relative path, no `..`). */
const isFile = (line) =>
  line !== '' &&
  !line.startsWith('/') &&
  !line.split('/').includes('..') &&
  existsSync(line) &&
  statSync(line).isFile();

/** A line that is a comment in the file's language, recording the task. */
function noteFor(file) {
  const text = `${task} (plan leaf ${leaf})`;
  if (/\.(md|html|xml|svg)$/.test(file)) return `<!-- ${text} -->`;
  if (/\.(js|mjs|cjs|ts|tsx|jsx|c|h|cc|cpp|java|go|rs|swift|kt|css|scss)$/.test(file)) return `// ${text}`;
  return `# ${text}`;
}

console.log(`plan-agent: leaf ${leaf} ${part}: ${task}`);
// What the leaf's checkout holds (a sparse one holds only the leaf's folders and the files above them).
const countFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== '.git')
    .reduce((sum, entry) => sum + (entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1), 0);
console.log(`plan-agent: the checkout holds ${countFiles('.')} files`);
const gateDir = process.env.PLAN_AGENT_GATE_DIR;
if (gateDir) {
  const gate = join(gateDir, leaf);
  while (!existsSync(gate)) await sleep(10);
  if (readFileSync(gate, 'utf8').trim() === 'fail') {
    console.error(`plan-agent: told to fail leaf ${leaf}`);
    process.exit(1);
  }
}
if (process.env.PLAN_AGENT_FAIL && part.includes(process.env.PLAN_AGENT_FAIL)) {
  console.error(`plan-agent: cannot do ${part}`);
  process.exit(1);
}

const files = prompt
  .split('\n')
  .map((line) => line.trim())
  .filter(isFile);
for (const file of files) {
  const before = readFileSync(file, 'utf8');
  appendFileSync(file, `${before === '' || before.endsWith('\n') ? '' : '\n'}${noteFor(file)}\n`);
  console.log(`plan-agent: edited ${file}`);
}
const also = process.env.PLAN_AGENT_ALSO;
if (also) {
  appendFileSync(also, `${noteFor(also)}\n`);
  console.log(`plan-agent: edited ${also} too`);
}
console.log(`plan-agent: leaf ${leaf} done, ${files.length} file${files.length === 1 ? '' : 's'} edited`);
