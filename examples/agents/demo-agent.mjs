#!/usr/bin/env node
// A stand-in for a coding agent (`claude -p`, `codex exec`, aider), bundled so `flotilla demo` runs on
// a fresh machine with no model or API key. It behaves like one from the outside: it takes a prompt,
// works in its current directory for a while, narrates progress on stdout, edits files and exits 0.
//
// Usage: demo-agent.mjs PROMPT
//   DEMO_AGENT_SPEED  multiplies every pause (default 1; 0 for instant runs in tests)
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const prompt = process.argv.slice(2).join(' ').trim();
if (prompt === '') {
  console.error('demo-agent: no prompt given (usage: demo-agent.mjs PROMPT)');
  process.exit(2);
}
const speed = Number(process.env.DEMO_AGENT_SPEED ?? '1');

// A stable pseudo-random stream per prompt: the same prompt always takes the same path.
let seed = [...prompt].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) / 1000;
const pause = () => sleep(Math.round((150 + random() * 450) * speed));

const slug = prompt
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '-')
  .replace(/^-|-$/g, '')
  .slice(0, 40);
const steps = [
  'Reading the repository',
  'Planning the change',
  'Editing files',
  'Running a quick self-check',
];

console.log(`agent: task "${prompt}"`);
for (const step of steps) {
  console.log(`agent: ${step}…`);
  await pause();
}

mkdirSync('notes', { recursive: true });
writeFileSync(join('notes', `${slug}.md`), `# ${prompt}\n\nDone by the demo agent in ${process.cwd()}.\n`);
if (existsSync('CHANGELOG.md')) {
  writeFileSync('CHANGELOG.md', `${readFileSync('CHANGELOG.md', 'utf8')}- ${prompt}\n`);
}
console.log(`agent: wrote notes/${slug}.md and updated CHANGELOG.md`);
console.log('agent: done');
