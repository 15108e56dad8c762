import { fileURLToPath } from 'node:url';

/** The example agent the plan tests run as every leaf (examples/agents/plan-agent.mjs: its env is documented there). */
export const PLAN_AGENT = fileURLToPath(new URL('../../examples/agents/plan-agent.mjs', import.meta.url));

/**
 * The plan tests' repository: a README and 5 folders of 3 files. With a bound of 3 files a leaf, 6 leaves
 * in this order: the root's own file (`./*`), then `src/a` … `src/e`.
 */
export const PLAN_FILES: Readonly<Record<string, string>> = (() => {
  const files: Record<string, string> = { 'README.md': '# app\n' };
  for (const folder of ['a', 'b', 'c', 'd', 'e']) {
    for (const n of [1, 2, 3]) files[`src/${folder}/f${n}.js`] = `export const ${folder}${n} = ${n};\n`;
  }
  return files;
})();
