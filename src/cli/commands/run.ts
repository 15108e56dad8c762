import type { Command } from '@commander-js/extra-typings';
import { createInterface } from 'node:readline/promises';
import { parseInputAssignments, resolveInputs, type WorkflowDefinition } from '../../workflow/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { collect } from '../parse.js';
import { driveRun, openRunSession } from './run-session.js';

/**
 * `flotilla run WORKFLOW.yml`: loads a workflow and runs it here with a live display. Exit 0 when it
 * succeeded or waits at a gate, 1 when it failed or was cancelled, 2 for an invalid file or input
 * (nothing ran), 130 when interrupted (it can be resumed with `flotilla runs resume ID`).
 */
export function registerRunCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('run')
    .description('run a workflow file here, with live progress; its state is kept in --home')
    .argument('<workflow>', 'the workflow file (YAML)')
    .option('-i, --input <name=value>', 'an input of the workflow (repeatable)', collect, [] as string[])
    .addHelpText(
      'after',
      `
Inputs are read as their declared types: --input count=3 --input dry_run=yes --input 'files=["a","b"]'.
At a gate a terminal asks; without one the run pauses (exit 0): approve it with \`flotilla runs approve ID\`.`,
    )
    .action(async (file, options, command) => {
      const context = createContext(command.optsWithGlobals(), signal);
      const inputs: Record<string, string> = parseInputAssignments(options.input);
      const session = await openRunSession(context);
      try {
        const definition = await session.engine.load(file);
        Object.assign(inputs, await askMissingInputs(definition, inputs, signal));
        // Bad inputs fail here, before a job service starts for nothing; `run` checks them again.
        resolveInputs(definition, inputs, { fromStrings: true });
        await session.prepare(session.engine.needs(definition));
        state.exitCode = await driveRun(context, session, (runSignal) =>
          session.engine.run(definition, inputs, { fromStrings: true, signal: runSignal }),
        );
      } finally {
        await session.close();
      }
    });
}

/**
 * On a terminal, asks for each input that has a `prompt` and neither a value nor a default (spec-kit's
 * `inputs.NAME.prompt`); an empty answer leaves it missing. Without a terminal nothing is asked, and a
 * missing required input is the usual error.
 */
async function askMissingInputs(
  definition: WorkflowDefinition,
  given: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const missing = Object.entries(definition.inputs).filter(
    ([name, input]) =>
      input.prompt !== undefined && input.default === undefined && !Object.hasOwn(given, name),
  );
  if (missing.length === 0 || process.stdin.isTTY !== true || process.stderr.isTTY !== true) return {};
  // Asked on stderr, so that `--json` keeps stdout for the run's document.
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answers: Record<string, string> = {};
    for (const [name, input] of missing) {
      const answer = (await rl.question(`${input.prompt} (${name}): `, { signal })).trim();
      if (answer !== '') answers[name] = answer;
    }
    return answers;
  } finally {
    rl.close();
  }
}
