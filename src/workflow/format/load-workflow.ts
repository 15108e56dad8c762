import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expectationMessages, unreadableFileReason } from '../../config/index.js';
import { knownProfiles, writtenProfileProblem } from './agent-profiles.js';
import { checkSteps } from './check-steps.js';
import type { WorkflowDefinition, WorkflowRequires } from './definition.js';
import { parseSteps } from './parse-steps.js';
import type { StepSchema } from './step-schema.js';
import { BUILTIN_STEP_SCHEMAS } from './step-schemas.js';
import { WorkflowError } from './workflow-error.js';
import { workflowFileSchema } from './workflow-schema.js';
import { WorkflowSource } from './workflow-source.js';

/** What `parseWorkflow` needs besides the text. */
export interface ParseWorkflowOptions {
  /** The file the text came from, as messages should name it; absent: `<inline>`. */
  readonly file?: string;
  /**
   * The step types a file may use.
   * @default BUILTIN_STEP_SCHEMAS
   */
  readonly stepSchemas?: readonly StepSchema[];
  /**
   * The configuration's agent profiles: `integration:` and `requires.integrations` are checked against
   * them. Absent: profile names are not checked (a file read without a configuration).
   */
  readonly agents?: readonly string[];
}

/** What `loadWorkflowFile` needs besides the path. */
export type LoadWorkflowOptions = Omit<ParseWorkflowOptions, 'file'>;

/** What messages call a workflow that came from no file. */
const INLINE = '<inline>';

/**
 * Parses and validates a workflow's YAML text: the top level (`schema_version`, `workflow`, `inputs`,
 * `steps`), each step against its type's schema (nested steps too), then the checks that need the whole
 * file (unique ids, expressions, references, single-expression fields). Defaults are filled in; each step
 * gets its `location`.
 *
 * @throws {WorkflowError} listing every problem found, each as `file:line:col: steps[2] (id).field: …`.
 */
export function parseWorkflow(text: string, options: ParseWorkflowOptions = {}): WorkflowDefinition {
  const displayName = options.file ?? INLINE;
  const file = options.file === undefined ? undefined : resolve(options.file);
  const source = WorkflowSource.parse(text, displayName, file);
  const data = source.data;

  // 1. The top level; the steps are only checked to be a list here.
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    source.report([], 'expected a mapping with schema_version, workflow and steps');
    throw source.error();
  }
  const top = workflowFileSchema.safeParse(data, { error: expectationMessages });
  if (!top.success) source.reportZod(top.error.issues, [], data);

  // 2. Each step, against its type; even when the top level failed, to report everything at once.
  const rawSteps = (data as Record<string, unknown>)['steps'];
  const schemas = options.stepSchemas ?? BUILTIN_STEP_SCHEMAS;
  const { steps, records } = parseSteps(Array.isArray(rawSteps) ? rawSteps : [], source, schemas);

  // 3. What needs the whole file: ids, expressions, references, agent profiles.
  const workflowSection = (data as Record<string, unknown>)['workflow'];
  const defaultIntegration =
    workflowSection !== null && typeof workflowSection === 'object'
      ? (workflowSection as Record<string, unknown>)['integration']
      : undefined;
  checkSteps(
    records,
    {
      inputNames: inputNamesOf(data),
      ...(options.agents === undefined ? {} : { agents: options.agents }),
      defaultIntegration,
    },
    source,
  );
  if (top.success) checkProfiles(top.data, options.agents, source);

  if (!top.success || source.failed) throw source.error();
  const { schema_version, workflow, requires, inputs } = top.data;
  return {
    schema_version,
    workflow,
    ...(requires === undefined ? {} : { requires }),
    inputs,
    steps,
    ...(file === undefined ? {} : { file }),
  };
}

/**
 * `workflow.integration` names a profile, and `requires.integrations` holds where it can: one of `any`
 * and each of `all` is a profile of the configuration.
 */
function checkProfiles(
  top: { workflow: { integration?: string | undefined }; requires?: WorkflowRequires | undefined },
  agents: readonly string[] | undefined,
  source: WorkflowSource,
): void {
  const integration = top.workflow.integration;
  const problem = integration === undefined ? undefined : writtenProfileProblem(integration, agents);
  if (problem !== undefined) source.report(['workflow', 'integration'], problem);
  const required = top.requires?.integrations;
  if (agents === undefined || required === undefined) return;
  const known = knownProfiles(agents);
  if (required.any !== undefined && !required.any.some((name) => agents.includes(name))) {
    const message = `none of ${required.any.join(', ')} is an agent profile of the configuration (${known}); name a profile after one of them`;
    source.report(['requires', 'integrations', 'any'], message);
  }
  required.all?.forEach((name, index) => {
    if (agents.includes(name)) return;
    source.report(['requires', 'integrations', 'all', index], `"${name}" is not an agent profile (${known})`);
  });
}

/**
 * Reads and parses a workflow file (see `parseWorkflow`). Messages name the file as `path` is given;
 * the definition's `file` is absolute.
 *
 * @throws {WorkflowError} when the file cannot be read, and for every problem in it.
 */
export async function loadWorkflowFile(
  path: string,
  options: LoadWorkflowOptions = {},
): Promise<WorkflowDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = unreadableFileReason(error, 'workflow file');
    throw new WorkflowError(`${path}: ${reason}`, { file: resolve(path), cause: error });
  }
  return parseWorkflow(text, { ...options, file: path });
}

/** The names under `inputs`, as written (even when their definitions are invalid). */
function inputNamesOf(data: object): string[] {
  const inputs = (data as Record<string, unknown>)['inputs'];
  return inputs !== null && typeof inputs === 'object' && !Array.isArray(inputs) ? Object.keys(inputs) : [];
}
