import { knownProfiles, profileProblem, type CommandStep, type PromptStep } from '../format/index.js';
import { renderString, renderValue, stringify } from '../expressions/index.js';
import { StepError, type StepContext, type StepType } from '../engine/index.js';
import { runAgentJob, type AgentOutput } from './agent-step.js';
import { builtinSchema } from './builtin-schema.js';

/** What a `prompt` or `command` step's `output` holds: the agent step's, and spec-kit's names beside it. */
export interface PromptOutput extends AgentOutput {
  /** The agent profile that ran it. */
  readonly integration: string;
  /** The agent's reply again, under the name spec-kit files read (`steps.ID.output.stdout`). */
  readonly stdout: string;
  /** What was sent to the agent. */
  readonly prompt: string;
}

/** What a `command` step's `output` adds. */
export interface CommandOutput extends PromptOutput {
  readonly command: string;
  /** `input` with every value rendered. */
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * `prompt`: one prompt sent to an agent profile (`integration:`, else the workflow's), as one job of the
 * job service: the same queue, bound, workspace isolation and timeouts as an `agent` step.
 */
export const promptStep: StepType<PromptStep, 'jobs'> = {
  ...builtinSchema('prompt'),
  needs: ['jobs'],
  async execute(step, context, { jobs }) {
    const prompt = renderString(step.prompt, context.scope);
    return sendPrompt(step, prompt, {}, context, jobs);
  },
};

/**
 * `command`: a spec-kit command such as `speckit.plan`, sent to the agent as the slash command
 * `/speckit.plan ARGS` (how spec-kit's integrations are told to run an installed command).
 */
export const commandStep: StepType<CommandStep, 'jobs'> = {
  ...builtinSchema('command'),
  needs: ['jobs'],
  async execute(step, context, { jobs }) {
    const input = renderValue(step.input, context.scope) as Record<string, unknown>;
    const args = stringify(input['args']).trim();
    const prompt = args === '' ? `/${step.command}` : `/${step.command} ${args}`;
    return sendPrompt(step, prompt, { command: step.command, input }, context, jobs);
  },
};

async function sendPrompt(
  step: PromptStep | CommandStep,
  prompt: string,
  extra: Readonly<Record<string, unknown>>,
  context: StepContext,
  jobs: Parameters<typeof runAgentJob>[0],
): Promise<PromptOutput> {
  const integration = profileOf(step, context);
  const request = {
    agent: integration,
    prompt,
    ...(step.timeout_s === undefined ? {} : { timeout_s: step.timeout_s }),
  };
  const withNames = (output: AgentOutput): PromptOutput => ({
    ...output,
    ...extra,
    integration,
    stdout: output.output,
    prompt,
  });
  try {
    return withNames((await runAgentJob(jobs, request, context, step.id)).output);
  } catch (error) {
    if (!(error instanceof StepError) || error.output === undefined) throw error;
    throw new StepError(error.message, {
      status: error.status,
      output: withNames(error.output as AgentOutput),
    });
  }
}

/**
 * The agent profile a step runs: its `integration` (rendered), else the workflow's. `auto` (spec-kit's
 * "the project's integration") is the workflow's when it names one, else the only profile configured.
 * @throws StepError naming `integration` when no profile can be told, or the name is not a profile.
 */
function profileOf(step: PromptStep | CommandStep, context: StepContext): string {
  const fallback = context.defaultIntegration;
  const written = step.integration ?? fallback;
  let name = written === undefined ? '' : stringify(renderValue(written, context.scope)).trim();
  const { agents } = context;
  if (name === 'auto' || name === '') {
    if (fallback !== undefined && fallback !== 'auto' && !fallback.includes('{{')) name = fallback;
    else if (agents?.length === 1) name = agents[0]!;
    else {
      const known = agents === undefined ? '' : ` (${knownProfiles(agents)})`;
      throw new StepError(
        `${step.id}: integration: ${name === '' ? 'empty' : '"auto"'} names no agent profile${known}: set workflow.integration, or pass the input that names one`,
      );
    }
  }
  const problem = profileProblem(name, agents);
  if (problem !== undefined) throw new StepError(`${step.id}: integration: ${problem}`);
  return name;
}
