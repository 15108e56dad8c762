import { isAbsolute, relative, sep } from 'node:path';
import type { TestCase, TestOutcome } from '../types.js';

/** How many lines of a failure a `TestCase` keeps: enough to see what failed, never a whole log. */
export const MESSAGE_LINES = 20;
/** And at most this many characters of them (a minified bundle is one very long line). */
export const MESSAGE_CHARS = 4_000;

/** How a parser reads the paths of a report. */
export interface ParseReportOptions {
  /**
   * The folder the suite ran in. An absolute file path under it (Vitest's and Jest's JSON reports give
   * absolute ones) becomes relative to it, so a test has the same id in every checkout; paths outside
   * it, and relative ones, stay as the report gives them.
   */
  readonly root?: string;
}

/** What a parser knows of one test before it is a `TestCase`. */
export interface TestFacts {
  readonly file: string;
  readonly titlePath: readonly string[];
  readonly outcome: TestOutcome;
  readonly durationMs: number;
  /** The failure's text as the report gives it (escapes and all); kept only when the test failed. */
  readonly message?: string | undefined;
  readonly project?: string | undefined;
}

/** The separator of a `TestCase.id`'s parts, as Playwright and Jest print a test's path. */
export const ID_SEPARATOR = ' › ';

/** A `TestCase` from what a parser read: its id, its file as `options` say, its message cleaned. */
export function testCase(facts: TestFacts, options: ParseReportOptions = {}): TestCase {
  const file = reportPath(facts.file, options.root);
  const parts = [file, ...facts.titlePath].filter((part) => part !== '');
  if (facts.project !== undefined) parts.unshift(`[${facts.project}]`);
  const message = facts.outcome === 'failed' && facts.message ? cleanMessage(facts.message) : '';
  return {
    id: parts.join(ID_SEPARATOR),
    file,
    titlePath: [...facts.titlePath],
    ...(facts.project === undefined ? {} : { project: facts.project }),
    outcome: facts.outcome,
    durationMs: facts.durationMs,
    ...(message === '' ? {} : { message }),
  };
}

/** `file` relative to `root` when it is an absolute path under it; otherwise as it is. POSIX separators. */
export function reportPath(file: string, root: string | undefined): string {
  if (root === undefined || !isAbsolute(file)) return file;
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return file;
  return inside.split(sep).join('/');
}

// CSI (colours, cursor moves), OSC (hyperlinks, titles) and the other two-character escapes.
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// Control characters other than tab and newline (what is left of a broken escape, a carriage return).
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * A failure's text as a `TestCase` keeps it: without terminal escapes and control characters, without
 * leading and trailing blank lines, its first `MESSAGE_LINES` lines and at most `MESSAGE_CHARS`
 * characters (`…` says something was cut).
 */
export function cleanMessage(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(ANSI, '').replace(CONTROL, '').split('\n');
  while (lines.length > 0 && lines[0]?.trim() === '') lines.shift();
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  let kept = lines.slice(0, MESSAGE_LINES).join('\n');
  let cut = lines.length > MESSAGE_LINES;
  if (kept.length > MESSAGE_CHARS) {
    kept = kept.slice(0, MESSAGE_CHARS);
    cut = true;
  }
  return cut ? `${kept.trimEnd()}\n…` : kept;
}
