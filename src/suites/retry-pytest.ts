import type { TestCase } from './types.js';

/**
 * pytest's node ids of `tests` (`tests/test_math.py::TestDivide::test_by_zero[0]`), or `null` when one
 * cannot be built: the report did not give its file (pytest's default `xunit2` JUnit has only the
 * dotted `classname`, which does not say where the module ends and the class begins), or its titles
 * are not the module-and-class, then name, that pytest's JUnit writes.
 *
 * With a file (`junit_family=xunit1`, or another report that gives `file`), the `classname` is the
 * file's module (`tests.test_math`) followed by the classes (`.TestDivide`), and the name is the test's.
 * Node ids are relative to pytest's rootdir, as the report's files are: the retry runs where the suite ran.
 */
export function pytestNodeIds(tests: readonly TestCase[]): string[] | null {
  const ids = new Set<string>();
  for (const test of tests) {
    const file = test.file.replace(/^\.\//, '');
    if (!file.endsWith('.py')) return null;
    const module = file.slice(0, -'.py'.length).replaceAll('/', '.');
    const [first, ...rest] = test.titlePath;
    const name = test.titlePath.at(-1);
    if (first === undefined || name === undefined) return null;
    let classes: string[] = [];
    if (rest.length === 1) {
      if (first !== module && !first.startsWith(`${module}.`)) return null;
      classes = first
        .slice(module.length + 1)
        .split('.')
        .filter((part) => part !== '');
    } else if (rest.length > 1) {
      return null;
    }
    ids.add([file, ...classes, name].join('::'));
  }
  return [...ids];
}
