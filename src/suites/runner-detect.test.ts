import { describe, expect, it } from 'vitest';
import { detectRunner } from './runner-detect.js';

describe('detectRunner', () => {
  it.each([
    [['vitest'], 'vitest', 1],
    [['vitest', 'run', '--reporter=junit'], 'vitest', 2],
    [['vitest', 'src/suites'], 'vitest', 1],
    [['npx', 'vitest', 'run'], 'vitest', 3],
    [['npx', '--yes', '-p', 'vitest@4', 'vitest', 'run'], 'vitest', 6],
    [['npm', 'exec', '--', 'vitest', 'run'], 'vitest', 5],
    [['npm', 'x', 'vitest'], 'vitest', 3],
    [['pnpm', 'vitest', 'run'], 'vitest', 3],
    [['pnpm', 'exec', 'jest', '--ci'], 'jest', 3],
    [['yarn', 'dlx', 'jest'], 'jest', 3],
    [['./node_modules/.bin/vitest', 'run'], 'vitest', 2],
    [['/repo/node_modules/.bin/jest', '--ci'], 'jest', 1],
    [['node', 'node_modules/vitest/vitest.mjs', 'run'], 'vitest', 3],
    [['node', '--max-old-space-size=4096', 'node_modules/jest/bin/jest.js'], 'jest', 3],
    [['npx', 'playwright', 'test', '--project=chromium'], 'playwright', 3],
    [['env', 'CI=1', 'DEBUG=pw:api', 'npx', 'playwright', 'test'], 'playwright', 6],
    [['node', '--test', 'test/'], 'node-test', 2],
    [['/usr/bin/node', '--import', 'tsx', '--test', '--test-reporter=junit'], 'node-test', 4],
    [['pytest', '-q'], 'pytest', 1],
    [['py.test'], 'pytest', 1],
    [['python', '-m', 'pytest', 'tests/'], 'pytest', 3],
    [['python3.12', '-X', 'dev', '-m', 'pytest'], 'pytest', 5],
    [['uv', 'run', 'pytest'], 'pytest', 3],
    [['poetry', 'run', 'pytest', '-x'], 'pytest', 3],
  ])('%j is %s, its arguments from %i', (argv, runner, argsAt) => {
    expect(detectRunner(argv)).toEqual({ runner, argsAt });
  });

  it('knows the commands of a runner that run no tests a filter narrows', () => {
    expect(detectRunner(['vitest', 'bench'])).toEqual({ runner: 'vitest', argsAt: null });
    expect(detectRunner(['npx', 'playwright', 'show-report'])).toEqual({
      runner: 'playwright',
      argsAt: null,
    });
  });

  it.each([
    [['make', 'test']],
    [['npm', 'test']],
    [['npm', 'run', 'test:unit']],
    [['pnpm', 'test']],
    [['sh', '-c', 'vitest run']],
    [['./scripts/run-tests.sh']],
    [['npx', '-c', 'vitest run']],
    [['node', 'scripts/test.mjs']],
    [['node', '-e', 'require("vitest")']],
    [['python', '-m', 'unittest']],
    [['python', '-c', 'import pytest; pytest.main()']],
    [[]],
  ])('%j is no runner it knows', (argv) => {
    expect(detectRunner(argv)).toBeNull();
  });
});
