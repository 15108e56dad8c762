import type { PlanLeaf } from './types.js';

/**
 * The prompt each leaf's agent gets unless the plan gives its own (`--prompt`, a `plan` step's `prompt`):
 * the task, then the part of it that is this agent's, so that leaves running at once do not edit each
 * other's files.
 */
export const DEFAULT_LEAF_PROMPT = `{task}

This is one part of a larger change that is split by directory, each part done by its own agent at the same time.
Your part is {path} (plan leaf {leaf_id}). Change only these files, or add new files next to them:
{files}
Leave every other file as it is: other agents are changing them.`;

/** The placeholders a leaf prompt may hold. */
const PLACEHOLDER = /\{(task|files|path|leaf_id)\}/g;

/**
 * The prompt of one leaf: `template` with `{task}`, `{files}` (one path a line), `{path}` and `{leaf_id}`
 * put in. Substitution is one pass over the template, so a task that itself holds `{files}` stays as it
 * was written; any other `{…}` is left alone.
 */
export function leafPrompt(
  template: string,
  task: string,
  leaf: Pick<PlanLeaf, 'id' | 'path' | 'files'>,
): string {
  const values: Readonly<Record<string, string>> = {
    task,
    files: leaf.files.join('\n'),
    path: leaf.path,
    leaf_id: leaf.id,
  };
  return template.replace(PLACEHOLDER, (_, name: string) => values[name]!);
}
