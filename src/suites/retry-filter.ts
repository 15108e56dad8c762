import { detectRunner, type Runner } from './runner-detect.js';
import { fullNamePattern, jestPathPattern, ownNamePattern, playwrightGrep } from './retry-patterns.js';
import { pytestNodeIds } from './retry-pytest.js';
import type { ReportFormat, TestCase } from './types.js';

export { RUNNERS, type Runner } from './runner-detect.js';

/** The command of a retry: the argv to run and what it runs. */
export interface RetryCommand {
  /** The command to run: the suite's own when it cannot be narrowed, else it with a filter added. */
  readonly argv: string[];
  /** Whether `argv` runs only the given tests (a runner's filter), not the whole suite. */
  readonly filtered: boolean;
  /** The runner the command starts, when it is one `retryCommand` knows. */
  readonly runner: Runner | null;
}

/**
 * The longest argument and argv a filter may make: Linux refuses one argument over 128 KiB
 * (`MAX_ARG_STRLEN`) and an argv with its environment over `ARG_MAX` (2 MiB by default) with `E2BIG`.
 */
export const MAX_ARG_CHARS = 100_000;
export const MAX_ARGV_CHARS = 1_000_000;

/** Options that select tests by name, removed before ours is added (the failed tests were selected by them). */
const NAME_OPTIONS: Readonly<Record<Exclude<Runner, 'pytest'>, readonly string[]>> = {
  vitest: ['-t', '--testNamePattern', '--test-name-pattern'],
  jest: ['-t', '--testNamePattern', '--test-name-pattern'],
  'node-test': ['--test-name-pattern'],
  playwright: ['-g', '--grep'],
};

/**
 * The command that runs again only `failed` (the failed tests of the last attempt, as its report of
 * `format` gave them), when `argv` starts a runner that can select tests:
 *
 * - Vitest, Jest: `--testNamePattern=^(?:A|B)$`, the escaped full names (describe titles and title
 *   joined by spaces: what both match against), and the failed files as positional filters (Vitest's
 *   are substrings of a path, Jest's anchored path patterns). Jest makes the pattern case-insensitive.
 * - Node's test runner (`node --test`): `--test-name-pattern=^(?:a|b)$` of the tests' own titles,
 *   right after `--test` (Node 20 matches a test's own name only). A subtest made with `t.test()` is
 *   not run by it (Node runs a subtest only when its parent test matches too): the retry's report
 *   does not list it, and never says it passed.
 * - Playwright (`playwright test`): `--grep=/^…$/`, the escaped project, file and titles as Playwright
 *   joins them (see `playwrightGrep`).
 * - pytest: the tests' node ids (`file::Class::name`) instead of the command's own paths when the report
 *   gives each test's file and the command's arguments can be told apart; else `--lf` (pytest's cache of
 *   the last failures).
 *
 * A filter already in the command (`-t`, `--grep`, `--test-name-pattern`) is replaced: the failed tests
 * were selected by it. Anything else — another command (`make test`, a shell script), a runner's command
 * that runs no tests (`vitest bench`), no failed tests, or one without a name the runner can select (a
 * file that failed outside its tests) — is `{ argv unchanged, filtered: false }`.
 *
 * The patterns are escaped and anchored, so a title's `(`, `[`, `.`, `?` or `$` is itself and `adds`
 * does not select `adds more`. What no escaping can change is how a runner matches: names alone,
 * without their file (Vitest and Jest also get the files, Node does not), and joined by spaces (so a
 * test `a b` and a test `b` in a block `a` are one name). A retry may then run a test of the same name
 * as a failed one: read its report for the failed tests' ids.
 */
export function retryCommand(
  argv: readonly string[],
  failed: readonly TestCase[],
  format: ReportFormat,
): RetryCommand {
  const found = detectRunner(argv);
  const unfiltered = { argv: [...argv], filtered: false, runner: found?.runner ?? null };
  if (found === null || found.argsAt === null || failed.length === 0) return unfiltered;
  const { runner, argsAt } = found;
  if (!failed.every((test) => test.titlePath.length > 0 && test.titlePath.every((title) => title !== ''))) {
    return unfiltered;
  }
  const head = argv.slice(0, argsAt);
  const args = argv.slice(argsAt);
  const files = [...new Set(failed.map((test) => test.file))];
  const everyFileKnown = files.every((file) => file !== '');
  switch (runner) {
    case 'vitest': {
      const pattern = `--testNamePattern=${fullNamePattern(failed, format, 'vitest')}`;
      // A file filter `name:12` is a line filter to Vitest; such a file is left to the name pattern.
      const filters = everyFileKnown && !files.some((file) => /:\d+$/.test(file)) ? files : [];
      return filtered([
        ...head,
        ...beforeDoubleDash(without(args, NAME_OPTIONS.vitest), [pattern, ...filters]),
      ]);
    }
    case 'jest': {
      const pattern = `--testNamePattern=${fullNamePattern(failed, format, 'jest')}`;
      const filters = everyFileKnown ? files.map(jestPathPattern) : [];
      return filtered([
        ...head,
        ...beforeDoubleDash(without(args, NAME_OPTIONS.jest), [pattern, ...filters]),
      ]);
    }
    case 'node-test':
      // Node's own options come before `--test` too, and patterns given twice are either-or.
      return filtered([
        ...without(head, NAME_OPTIONS['node-test']),
        `--test-name-pattern=${ownNamePattern(failed)}`,
        ...without(args, NAME_OPTIONS['node-test']),
      ]);
    case 'playwright':
      if (!everyFileKnown) return unfiltered;
      return filtered([
        ...head,
        ...beforeDoubleDash(without(args, NAME_OPTIONS.playwright), [
          `--grep=${playwrightGrep(failed, format)}`,
        ]),
      ]);
    case 'pytest': {
      const ids = pytestNodeIds(failed);
      const rest = ids === null ? null : withoutPytestPaths(args);
      if (ids === null || rest === null) return filtered([...head, ...beforeDoubleDash(args, ['--lf'])]);
      return filtered([...head, ...rest, ...ids]);
    }
  }

  function filtered(command: string[]): RetryCommand {
    // So many failed tests that their filter would not fit in an argv: run them all, as the suite does.
    const total = command.reduce((sum, arg) => sum + arg.length + 1, 0);
    if (total > MAX_ARGV_CHARS || command.some((arg) => arg.length > MAX_ARG_CHARS)) return unfiltered;
    return { argv: command, filtered: true, runner };
  }
}

/** `args` without the options `names` (as `-t VALUE`, `--name VALUE` or `--name=VALUE`) before a `--`. */
function without(args: readonly string[], names: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      kept.push(...args.slice(i));
      break;
    }
    if (names.includes(arg)) i++;
    else if (!names.some((name) => arg.startsWith(`${name}=`))) kept.push(arg);
  }
  return kept;
}

/** `args` with `extra` added at its end, or before its `--` (what follows one is not the runner's). */
function beforeDoubleDash(args: readonly string[], extra: readonly string[]): string[] {
  const end = args.indexOf('--');
  return end === -1 ? [...args, ...extra] : [...args.slice(0, end), ...extra, ...args.slice(end)];
}

/** pytest's options known to take their value in the next argument. */
const PYTEST_VALUE_OPTIONS = new Set([
  '-k',
  '-m',
  '-p',
  '-c',
  '-o',
  '-W',
  '-n',
  '-r',
  '--junitxml',
  '--junit-xml',
  '--junit-prefix',
  '--rootdir',
  '--basetemp',
  '--confcutdir',
  '--maxfail',
  '--tb',
  '--durations',
  '--deselect',
  '--ignore',
  '--ignore-glob',
  '--import-mode',
  '--capture',
  '--color',
  '--log-level',
  '--cov',
  '--cov-report',
  '--dist',
  '--timeout',
  '--reruns',
  '--html',
]);
/** pytest's options known to take no value. */
const PYTEST_FLAGS = new Set([
  '-v',
  '-vv',
  '-vvv',
  '-q',
  '-qq',
  '-x',
  '-s',
  '-l',
  '-ra',
  '-rA',
  '--verbose',
  '--quiet',
  '--exitfirst',
  '--lf',
  '--last-failed',
  '--ff',
  '--failed-first',
  '--nf',
  '--new-first',
  '--sw',
  '--stepwise',
  '--strict-markers',
  '--disable-warnings',
  '--no-header',
  '--showlocals',
  '--runxfail',
  '--no-cov',
]);

/**
 * pytest's `args` without the paths it was given (node ids replace them: a path beside a node id would
 * run all of its tests too), or `null` when an argument cannot be told to be a path or an option's
 * value (it follows an option this list does not know).
 */
function withoutPytestPaths(args: readonly string[]): string[] | null {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return kept; // Everything after it is a path.
    if (!arg.startsWith('-')) {
      const previous = args[i - 1];
      const known =
        previous === undefined ||
        !previous.startsWith('-') ||
        PYTEST_FLAGS.has(previous) ||
        previous.includes('=');
      if (!known) return null;
      continue;
    }
    kept.push(arg);
    if (PYTEST_VALUE_OPTIONS.has(arg) && i + 1 < args.length) kept.push(args[++i] ?? '');
  }
  return kept;
}
