import type { ReportFormat, TestCase } from './types.js';

/**
 * `text` as a regular expression that matches exactly it: every character with a meaning in a pattern
 * escaped, control characters (a newline in a title) written as `\uXXXX` so the pattern stays one line.
 * Valid with and without the `u` flag.
 */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(
    // eslint-disable-next-line no-control-regex -- control characters are what is rewritten here
    /[\u0000-\u001f\u007f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `alternatives` as one anchored pattern: `^(?:a|b)$`, each alternative a whole match, duplicates once. */
export function anchoredAlternation(alternatives: readonly string[]): string {
  return `^(?:${[...new Set(alternatives)].join('|')})$`;
}

/**
 * What one title of a report is in the full name a runner matches, when the report joined the titles
 * into one with a separator of its own (Vitest's JUnit reporter: `describe > test`; Playwright's:
 * `describe › test`): each separator stands for either a title boundary (`boundary`) or the same
 * characters inside a title. Other reports keep the titles apart, and a title is just escaped.
 */
function joinedTitle(title: string, separator: string | undefined, boundary: string): string {
  if (separator === undefined) return escapeRegExp(title);
  return title
    .split(separator)
    .map(escapeRegExp)
    .join(`(?:${boundary}|${escapeRegExp(separator)})`);
}

/**
 * The pattern of Vitest's and Jest's `--testNamePattern`, which both match against a test's full name:
 * its describe titles and its title joined by spaces (Vitest's `getTaskFullName`, Jest's `getTestID`),
 * without the file. Anchored, so `adds` does not select `adds more`.
 */
export function fullNamePattern(
  tests: readonly TestCase[],
  format: ReportFormat,
  runner: 'vitest' | 'jest',
): string {
  const separator = format === 'junit' && runner === 'vitest' ? ' > ' : undefined;
  return anchoredAlternation(
    tests.map((test) => test.titlePath.map((title) => joinedTitle(title, separator, ' ')).join(' ')),
  );
}

/**
 * The pattern of Node's `--test-name-pattern`, which Node 20 matches against each test's own name (and
 * Node 22+ also against its ancestors' names and its own joined by spaces): the failed tests' own titles.
 * A describe block's tests run whatever their block is called; a subtest made with `t.test()` does not
 * (Node runs a subtest only when its parent test matches too), and is reported as not run.
 */
export function ownNamePattern(tests: readonly TestCase[]): string {
  return anchoredAlternation(tests.map((test) => escapeRegExp(test.titlePath.at(-1) ?? '')));
}

/** The tags Playwright adds after a title in what it matches (`@slow`), any number of them. */
const PLAYWRIGHT_TAGS = '(?: @\\S+)*';

/**
 * The value of Playwright's `--grep`, which it matches against each test's project name, file (relative
 * to the configuration's `rootDir`), describe titles and title, each followed by its tags, all joined by
 * spaces (`TestCase._grepTitleWithTags()` on a test of a project suite): `chromium a.spec.ts group adds
 * @slow`. Written as `/…/` so Playwright uses it with no flags (a bare string is made case-insensitive),
 * anchored at both ends, with the project when the report names it (Playwright's JSON does, `''` when
 * there are no projects) and any project otherwise.
 */
export function playwrightGrep(tests: readonly TestCase[], format: ReportFormat): string {
  const separator = format === 'junit' ? ' › ' : undefined;
  const alternatives = tests.map((test) => {
    const project = test.project ?? (format === 'playwright-json' ? '' : undefined);
    const start = project === undefined ? '.*' : escapeRegExp(project);
    const titles = test.titlePath
      .map((title) => ` ${joinedTitle(title, separator, `${PLAYWRIGHT_TAGS} `)}${PLAYWRIGHT_TAGS}`)
      .join('');
    return `${start} ${escapeRegExp(test.file)}${titles}`;
  });
  return `/${anchoredAlternation(alternatives)}/`;
}

/**
 * The path pattern of Jest's positional arguments (regular expressions matched against each test file's
 * absolute path): this file exactly, or (relative) a path that ends with it at a folder boundary.
 */
export function jestPathPattern(file: string): string {
  return file.startsWith('/') ? `^${escapeRegExp(file)}$` : `(?:^|/)${escapeRegExp(file)}$`;
}
