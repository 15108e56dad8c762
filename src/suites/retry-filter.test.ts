import { describe, expect, it } from 'vitest';
import { MAX_ARG_CHARS, retryCommand } from './retry-filter.js';
import { anchoredAlternation, escapeRegExp } from './retry-patterns.js';
import type { TestCase } from './types.js';

/** A failed test of `file` with `titlePath`. */
function failed(file: string, titlePath: readonly string[], project?: string): TestCase {
  const id = [...(project === undefined ? [] : [`[${project}]`]), file, ...titlePath].join(' › ');
  return {
    id,
    file,
    titlePath,
    outcome: 'failed',
    durationMs: 1,
    ...(project === undefined ? {} : { project }),
  };
}

/** The value of the option `name=` in `argv`. */
function option(argv: readonly string[], name: string): string {
  const arg = argv.find((candidate) => candidate.startsWith(`${name}=`));
  if (arg === undefined) throw new Error(`no ${name} in ${argv.join(' ')}`);
  return arg.slice(name.length + 1);
}

/** Playwright's `forceRegExp`: `/body/flags` is a regex with those flags, anything else is case-insensitive. */
function playwrightRegExp(value: string): RegExp {
  const match = /^\/(.*)\/([gi]*)$/.exec(value);
  return match ? new RegExp(match[1] ?? '', match[2]) : new RegExp(value, 'gi');
}

const TRICKY = [
  'adds (1 + 1)',
  'reads [brackets] and {braces}',
  'a.b?c*d+e',
  'costs $5 ^up | down',
  'back\\slash/slash',
  'two\nlines',
  'spaces  inside ',
];

describe('escapeRegExp', () => {
  it('matches each title exactly, and nothing one character off', () => {
    for (const title of TRICKY) {
      const pattern = new RegExp(anchoredAlternation([escapeRegExp(title)]));
      const unicode = new RegExp(anchoredAlternation([escapeRegExp(title)]), 'u');
      expect(pattern.test(title), title).toBe(true);
      expect(unicode.test(title), title).toBe(true);
      expect(pattern.test(`${title}x`)).toBe(false);
      expect(pattern.test(`x${title}`)).toBe(false);
      // The same title with its first special character replaced: a pattern that left it special would match.
      const near = title.replace(/[.?*+$^|[({\\]/, 'X');
      if (near !== title) expect(pattern.test(near), near).toBe(false);
    }
    expect(escapeRegExp('two\nlines')).toBe('two\\u000alines');
  });
});

describe('retryCommand: commands it cannot narrow', () => {
  it('leaves another command as it is', () => {
    const argv = ['make', 'test'];
    const command = retryCommand(argv, [failed('a.test.ts', ['x'])], 'junit');
    expect(command).toEqual({ argv: ['make', 'test'], filtered: false, runner: null });
    expect(command.argv).not.toBe(argv);
  });

  it('runs the whole suite again without failed tests, or with one that has no name to select', () => {
    expect(retryCommand(['vitest', 'run'], [], 'vitest-json')).toEqual({
      argv: ['vitest', 'run'],
      filtered: false,
      runner: 'vitest',
    });
    const broken = { ...failed('broken.test.ts', []), id: 'broken.test.ts' };
    expect(retryCommand(['vitest', 'run'], [failed('a.test.ts', ['x']), broken], 'vitest-json')).toEqual({
      argv: ['vitest', 'run'],
      filtered: false,
      runner: 'vitest',
    });
    expect(retryCommand(['vitest', 'bench'], [failed('a.test.ts', ['x'])], 'vitest-json').filtered).toBe(
      false,
    );
  });

  it('runs the whole suite again when the filter would not fit in an argv', () => {
    const title = (i: number) => `a long title of test number ${i} ${'x'.repeat(40)}`;
    const many = Array.from({ length: 2_000 }, (_, i) => failed('a.test.ts', ['group', title(i)]));
    expect(retryCommand(['vitest', 'run'], many, 'vitest-json')).toEqual({
      argv: ['vitest', 'run'],
      filtered: false,
      runner: 'vitest',
    });
    const some = retryCommand(['vitest', 'run'], many.slice(0, 100), 'vitest-json');
    expect(some.filtered).toBe(true);
    expect(Math.max(...some.argv.map((arg) => arg.length))).toBeLessThan(MAX_ARG_CHARS);
  });
});

describe('retryCommand: Vitest', () => {
  it('adds an anchored pattern of the full names and the failed files', () => {
    const argv = ['npx', 'vitest', 'run', '--reporter=json', '--outputFile=out.json'];
    const tests = [
      failed('/repo/src/a.test.ts', ['group', 'adds (1 + 1)']),
      failed('/repo/src/b.test.ts', ['b fails']),
    ];
    expect(retryCommand(argv, tests, 'vitest-json')).toEqual({
      argv: [
        ...argv,
        '--testNamePattern=^(?:group adds \\(1 \\+ 1\\)|b fails)$',
        '/repo/src/a.test.ts',
        '/repo/src/b.test.ts',
      ],
      filtered: true,
      runner: 'vitest',
    });
  });

  it('replaces a name filter the command had, and stays before a --', () => {
    const argv = ['vitest', 'run', '-t', 'slow', '--testNamePattern=x', '--', '--custom'];
    const { argv: retry } = retryCommand(argv, [failed('a.test.ts', ['t'])], 'vitest-json');
    expect(retry).toEqual(['vitest', 'run', '--testNamePattern=^(?:t)$', 'a.test.ts', '--', '--custom']);
  });

  it("reads Vitest's JUnit names, whose ' > ' is a describe boundary or a title's own", () => {
    const { argv } = retryCommand(['vitest', 'run'], [failed('a.test.ts', ['outer > x > y'])], 'junit');
    const pattern = new RegExp(option(argv, '--testNamePattern'));
    expect(pattern.test('outer x y')).toBe(true);
    expect(pattern.test('outer x > y')).toBe(true); // describe `outer`, test `x > y`
    expect(pattern.test('outer x')).toBe(false);
    expect(pattern.test('outer x y z')).toBe(false);
  });

  it('leaves out a file filter Vitest would read as a line number', () => {
    const { argv } = retryCommand(['vitest', 'run'], [failed('odd:12', ['t'])], 'vitest-json');
    expect(argv).toEqual(['vitest', 'run', '--testNamePattern=^(?:t)$']);
  });
});

describe('retryCommand: Jest', () => {
  it('adds the full names and anchored path patterns of the failed files', () => {
    const tests = [
      failed('/repo/src/calc.test.js', ['Calculator', 'by zero']),
      failed('src/other.test.js', ['x.y']),
    ];
    const { argv, filtered, runner } = retryCommand(['jest', '--ci', '--json'], tests, 'jest-json');
    expect({ filtered, runner }).toEqual({ filtered: true, runner: 'jest' });
    expect(argv).toEqual([
      'jest',
      '--ci',
      '--json',
      '--testNamePattern=^(?:Calculator by zero|x\\.y)$',
      '^\\/repo\\/src\\/calc\\.test\\.js$',
      '(?:^|/)src\\/other\\.test\\.js$',
    ]);
    const relative = new RegExp(argv[5] ?? '');
    expect(relative.test('/repo/src/other.test.js')).toBe(true);
    expect(relative.test('/repo/mysrc/other.test.js')).toBe(false);
  });
});

describe("retryCommand: Node's test runner", () => {
  it('adds a pattern of the own titles right after --test, replacing those it had', () => {
    const argv = [
      'node',
      '--test-name-pattern',
      'older',
      '--test',
      '--test-name-pattern=old',
      '--test-reporter=junit',
      'test/a.test.mjs',
    ];
    const tests = [failed('test', ['outer', 'inner fails']), failed('test', ['costs $5'])];
    expect(retryCommand(argv, tests, 'junit')).toEqual({
      argv: [
        'node',
        '--test',
        '--test-name-pattern=^(?:inner fails|costs \\$5)$',
        '--test-reporter=junit',
        'test/a.test.mjs',
      ],
      filtered: true,
      runner: 'node-test',
    });
  });
});

describe('retryCommand: Playwright', () => {
  const grepOf = (tests: readonly TestCase[], format: 'playwright-json' | 'junit' | 'ctrf') => {
    const { argv } = retryCommand(['npx', 'playwright', 'test', '--grep', '@smoke'], tests, format);
    expect(argv.slice(0, 3)).toEqual(['npx', 'playwright', 'test']);
    expect(argv).not.toContain('@smoke');
    return playwrightRegExp(option(argv, '--grep'));
  };

  it('greps the project, file and titles as Playwright joins them, with no flags', () => {
    const test = failed('login.spec.ts', ['sign in (with SSO)', 'rejects a bad password [v2]'], 'chromium');
    const grep = grepOf([test], 'playwright-json');
    expect(grep.flags).toBe('');
    // What `_grepTitleWithTags()` gives: project, file, describe (its tags), title, the test's tags.
    expect(grep.test('chromium login.spec.ts sign in (with SSO) rejects a bad password [v2]')).toBe(true);
    expect(
      grep.test('chromium login.spec.ts sign in (with SSO) @auth rejects a bad password [v2] @slow'),
    ).toBe(true);
    expect(grep.test('firefox login.spec.ts sign in (with SSO) rejects a bad password [v2]')).toBe(false);
    expect(grep.test('chromium login.spec.ts sign in (with SSO) rejects a bad password [v2] again')).toBe(
      false,
    );
    expect(grep.test('chromium other/login.spec.ts sign in (with SSO) rejects a bad password [v2]')).toBe(
      false,
    );
    expect(grep.test('chromium login.spec.ts sign in (with sso) rejects a bad password [v2]')).toBe(false);
  });

  it('without projects the project is empty; from JUnit any project, and › splits titles', () => {
    const none = grepOf([failed('a.spec.ts', ['t'])], 'playwright-json');
    expect(none.test(' a.spec.ts t')).toBe(true);
    expect(none.test('chromium a.spec.ts t')).toBe(false);
    const junit = grepOf([failed('a.spec.ts', ['group › t'])], 'junit');
    expect(junit.test('chromium a.spec.ts group t')).toBe(true);
    expect(junit.test(' a.spec.ts group t @tag')).toBe(true);
    expect(junit.test('chromium a.spec.ts group t2')).toBe(false);
  });

  it('is not narrowed without the files', () => {
    expect(retryCommand(['playwright', 'test'], [failed('', ['t'])], 'ctrf').filtered).toBe(false);
  });
});

describe('retryCommand: pytest', () => {
  const tests = [
    failed('tests/test_math.py', ['tests.test_math.TestDivide', 'test_by_zero[0-inf]']),
    failed('tests/test_io.py', ['tests.test_io', 'test_read']),
  ];
  const ids = ['tests/test_math.py::TestDivide::test_by_zero[0-inf]', 'tests/test_io.py::test_read'];

  it("gives the node ids instead of the command's paths", () => {
    expect(retryCommand(['pytest', 'tests/', '-q', '--junitxml', 'out.xml'], tests, 'junit')).toEqual({
      argv: ['pytest', '-q', '--junitxml', 'out.xml', ...ids],
      filtered: true,
      runner: 'pytest',
    });
    expect(retryCommand(['python', '-m', 'pytest', '-k', 'math or io'], tests, 'junit').argv).toEqual([
      'python',
      '-m',
      'pytest',
      '-k',
      'math or io',
      ...ids,
    ]);
  });

  it('asks for the last failures when the files or the arguments cannot be told', () => {
    // pytest's default JUnit (xunit2) has no file: a classname does not say where the module ends.
    const xunit2 = [failed('tests.test_math.TestDivide', ['test_by_zero'])];
    expect(retryCommand(['pytest', '--junitxml=out.xml'], xunit2, 'junit')).toEqual({
      argv: ['pytest', '--junitxml=out.xml', '--lf'],
      filtered: true,
      runner: 'pytest',
    });
    // Is `unit` the value of --plugin-option or a path? Unknown: keep the command, add --lf.
    expect(retryCommand(['pytest', '--plugin-option', 'unit'], tests, 'junit').argv).toEqual([
      'pytest',
      '--plugin-option',
      'unit',
      '--lf',
    ]);
  });
});
