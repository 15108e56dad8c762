import { posix } from 'node:path';

/** The test runners whose command `retryCommand` knows how to narrow to some tests. */
export const RUNNERS = ['vitest', 'jest', 'playwright', 'pytest', 'node-test'] as const;
export type Runner = (typeof RUNNERS)[number];

/** Where a runner's command is in an argv. */
export interface RunnerCommand {
  readonly runner: Runner;
  /**
   * The index of the runner's first own argument (after `vitest run`, `playwright test`, `node --test`,
   * `python -m pytest`), where its options begin; `null` when the command is one of the runner's that
   * runs no tests a filter could narrow (`vitest bench`, `playwright show-report`).
   */
  readonly argsAt: number | null;
}

/** The names a runner's executable goes by (`node_modules/.bin/vitest`, a `vitest.mjs` run by node). */
const EXECUTABLES: Readonly<Record<string, Runner>> = {
  vitest: 'vitest',
  'vitest.mjs': 'vitest',
  jest: 'jest',
  'jest.js': 'jest',
  playwright: 'playwright',
  pytest: 'pytest',
  'py.test': 'pytest',
};

/** The subcommands of Vitest that run tests; any other (`bench`, `list`, `init`) is left alone. */
const VITEST_RUNS = new Set(['run', 'watch', 'dev']);
const VITEST_OTHERS = new Set(['bench', 'list', 'init', 'related', 'typecheck']);

/** npx's and `npm exec`'s own options that take a value in the next argument. */
const NPX_VALUE_OPTIONS = new Set(['-p', '--package', '-w', '--workspace']);
/** Node's options that take a value in the next argument (the others are flags or `--name=value`). */
const NODE_VALUE_OPTIONS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--env-file',
  '--input-type',
  '--title',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-concurrency',
  '--test-timeout',
  '--test-shard',
  '--watch-path',
]);
/** Python's options that take a value in the next argument. */
const PYTHON_VALUE_OPTIONS = new Set(['-X', '-W']);

/**
 * The test runner `argv` starts, seen through the launchers that run one: `npx`, `npm exec`/`npm x`,
 * `pnpm [exec|dlx]`, `yarn [exec|dlx]`, `uv run`, `poetry run`, `env NAME=value`, a path
 * (`./node_modules/.bin/vitest`), `node` running a runner's script, `node --test`, `python -m pytest`.
 * `null` for anything else (`make test`, `npm test`, a shell script): its tests cannot be picked out.
 */
export function detectRunner(argv: readonly string[]): RunnerCommand | null {
  let i = 0;
  const name = (at: number): string => posix.basename(argv[at] ?? '');
  if (name(0) === 'env') {
    i = 1;
    while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i] ?? '')) i++;
  }
  const launcher = name(i);
  if (launcher === 'npx' || (launcher === 'npm' && (argv[i + 1] === 'exec' || argv[i + 1] === 'x'))) {
    i += launcher === 'npx' ? 1 : 2;
    for (; argv[i]?.startsWith('-'); i++) {
      const option = argv[i] ?? '';
      if (option === '--') {
        i++;
        break;
      }
      if (option === '-c' || option.startsWith('--call')) return null;
      if (NPX_VALUE_OPTIONS.has(option)) i++;
    }
  } else if (launcher === 'pnpm' || launcher === 'yarn') {
    i += argv[i + 1] === 'exec' || argv[i + 1] === 'dlx' ? 2 : 1;
  } else if ((launcher === 'uv' || launcher === 'poetry') && argv[i + 1] === 'run') {
    i += 2;
  }
  const command = name(i);
  if (command === 'node' || command === 'nodejs') return throughNode(argv, i + 1);
  if (/^python(?:\d+(?:\.\d+)*)?$/.test(command)) return throughPython(argv, i + 1);
  return atExecutable(argv, i);
}

/** The runner whose executable is `argv[at]`, with its subcommand. */
function atExecutable(argv: readonly string[], at: number): RunnerCommand | null {
  const runner = EXECUTABLES[posix.basename(argv[at] ?? '')];
  if (runner === undefined) return null;
  const next = argv[at + 1];
  if (runner === 'vitest') {
    if (next !== undefined && VITEST_RUNS.has(next)) return { runner, argsAt: at + 2 };
    if (next !== undefined && VITEST_OTHERS.has(next)) return { runner, argsAt: null };
  }
  if (runner === 'playwright') return { runner, argsAt: next === 'test' ? at + 2 : null };
  return { runner, argsAt: at + 1 };
}

/** `node [options] --test …` (Node's runner), or `node [options] SCRIPT` where the script is a runner's. */
function throughNode(argv: readonly string[], from: number): RunnerCommand | null {
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--test') return { runner: 'node-test', argsAt: i + 1 };
    if (!arg.startsWith('-')) return atExecutable(argv, i);
    if (arg === '--' || arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') return null;
    if (NODE_VALUE_OPTIONS.has(arg)) i++;
  }
  return null;
}

/** `python [options] -m pytest …`. */
function throughPython(argv: readonly string[], from: number): RunnerCommand | null {
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-m') {
      const module = argv[i + 1];
      return module === 'pytest' || module === 'py.test' ? { runner: 'pytest', argsAt: i + 2 } : null;
    }
    if (!arg.startsWith('-') || arg === '-c') return null;
    if (PYTHON_VALUE_OPTIONS.has(arg)) i++;
  }
  return null;
}
