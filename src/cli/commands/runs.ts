import { Option, type Command } from '@commander-js/extra-typings';
import { RUN_STATUSES } from '../../events/index.js';
import { ENGINE_RUN_KINDS, parseInputAssignments, REJECT_CHOICES } from '../../workflow/index.js';
import { createContext, type CommandContext, type CommandState, type GlobalOptions } from '../context.js';
import { printRun, printRunList } from '../display/run-report.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { collect, parseCount } from '../parse.js';
import { style } from '../style.js';
import { resumePlan } from './plan-run.js';
import { localUser, openRunSession, resumeHere, viewOf, type RunSession } from './run-session.js';

/**
 * `flotilla runs list|show|resume|cancel|approve`: the workflow and plan runs of `--home`, local like `exec`.
 * `resume` and `approve` drive the run here in the foreground, with the display of `flotilla run`.
 */
export function registerRunsCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  const runs = program.command('runs').description('list, show, resume, approve and cancel workflow runs');

  /** Runs `task` with a session of the command's home, closing it however the task ends. */
  const withSession = async (
    command: { optsWithGlobals(): object },
    task: (session: RunSession, context: CommandContext) => Promise<void> | void,
  ): Promise<void> => {
    const context = createContext(command.optsWithGlobals(), signal);
    // Opening starts the engine, which marks runs whose process died `interrupted` before anything is shown.
    const session = await openRunSession(context);
    try {
      await task(session, context);
    } finally {
      await session.close();
    }
  };

  runs
    .command('list')
    .description('runs, newest first')
    .addOption(new Option('--status <status>', 'only runs in this status').choices(RUN_STATUSES))
    .addOption(new Option('--limit <n>', 'how many').default(20).argParser(parseCount('--limit', 1)))
    .addOption(
      new Option('--kind <kind>', 'workflow runs, or plans (flotilla plan)')
        .choices(ENGINE_RUN_KINDS)
        .default('workflow' as const),
    )
    .action((options, command) =>
      withSession(command, (session, { output }) => {
        const page = session.engine.list({
          limit: options.limit,
          kind: options.kind,
          ...(options.status === undefined ? {} : { status: options.status }),
        });
        if (output.json) output.document({ items: page.items, next_cursor: page.nextCursor });
        else printRunList(output, page.items);
      }),
    );

  runs
    .command('show')
    .argument('<id>')
    .description('one run: its steps, item counts and the gates it waits at')
    .action((id, _options, command) =>
      withSession(command, (session, { output }) => {
        const view = viewOf(session, id);
        if (output.json) output.document(view);
        else printRun(output, view);
      }),
    );

  runs
    .command('resume')
    .argument('<id>')
    .description('continue an interrupted, failed or paused run here; finished steps and items are kept')
    .option(
      '-i, --input <name=value>',
      'change an input before resuming (repeatable): merged over the stored ones and checked again',
      collect,
      [] as string[],
    )
    .action(async (id, options, command) => {
      let plan = false;
      const inputs = parseInputAssignments(options.input);
      await withSession(command, async (session, context) => {
        // A plan checks out a folder the configuration may not name: `flotilla plan --resume` adds it.
        plan = viewOf(session, id).kind === 'plan';
        if (plan && options.input.length > 0)
          throw new UsageError('--input: a plan run has no inputs to change');
        if (!plan) state.exitCode = await resumeHere(context, session, id, inputs);
      });
      if (plan) state.exitCode = await resumePlan(createContext(command.optsWithGlobals(), signal), id);
    });

  runs
    .command('approve')
    .argument('<id>')
    .description('record a decision at the gate a paused run waits at, then resume the run here')
    .option(
      '--reject',
      "reject instead of approving (what follows is the gate's on_reject: abort by default)",
    )
    .option('--choice <option>', "choose one of the gate's options by name (e.g. revise), see `runs show`")
    .option('--comment <text>', 'a note kept with the decision')
    .option('--by <name>', 'who decides (default: the user name)')
    .option('--gate <item-id>', 'which gate, when the run waits at several (see `runs show`)')
    .action((id, options, command) =>
      withSession(command, async (session, context) => {
        if (options.by?.trim() === '') throw new UsageError('--by expects a name');
        if (options.choice !== undefined && options.reject === true) {
          throw new UsageError('--choice and --reject: give one (--reject is --choice reject)');
        }
        const rejects = options.reject === true || isRejection(options.choice);
        const gate = session.engine.approve(
          id,
          {
            approved: !rejects,
            ...(options.choice === undefined ? {} : { choice: options.choice }),
            by: options.by ?? localUser(),
            ...(options.comment === undefined ? {} : { comment: options.comment }),
          },
          options.gate === undefined ? {} : { itemId: options.gate },
        );
        const said = options.choice ?? (rejects ? 'rejected' : 'approved');
        const decision = rejects ? style.red(said) : style.green(said);
        context.output.line(`${gate} ${decision}; resuming ${id}`);
        state.exitCode = await resumeHere(context, session, id);
      }),
    );

  runs
    .command('cancel')
    .argument('<id>')
    .description('cancel a run: a running one stops (its processes are killed), a paused one ends')
    .action((id, _options, command) =>
      withSession(command, async (session, { output }) => {
        const view = await session.engine.cancel(id);
        if (output.json) output.document(view);
        else output.line(`${view.id} ${view.status}`);
        state.exitCode = ExitCode.Ok;
      }),
    );
}

/** Whether a gate's option rejects (`reject`, `abort`), as the engine reads it. */
function isRejection(choice: string | undefined): boolean {
  return choice !== undefined && REJECT_CHOICES.includes(choice.toLowerCase());
}
