/**
 * A workflow as loaded and validated: the in-memory model the engine runs. The YAML file
 * (`schema_version`, `workflow`, `inputs`, `steps`) maps onto it one to one; field names keep the file's
 * spelling (`timeout_s`, `max_concurrency`), so messages and docs use one vocabulary.
 *
 * Values that may hold expressions (`{{ inputs.x }}`, `{{ steps.ID.output.stdout }}`, `{{ item }}`) stay
 * raw here; the engine renders them when the step runs, against the run's scope.
 */

/** Where something starts in its workflow file, for messages. */
export interface SourceLocation {
  /** The file as given (absolute or relative), or `<inline>` for YAML text without a file. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** The type of a declared input. */
export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/** One declared input of a workflow. */
export interface InputDefinition {
  readonly type: InputType;
  readonly description?: string;
  /** Used when the caller gives no value. An input with a default is never missing. */
  readonly default?: unknown;
  /** A missing required input (no value, no default) is an error before the run starts. @default false */
  readonly required: boolean;
  /** When present, the value must be one of these. */
  readonly enum?: readonly unknown[];
  /** What a terminal asks when the input has no value (spec-kit's `prompt`); without a terminal it is not asked. */
  readonly prompt?: string;
}

/** What every step has. */
export interface StepBase {
  /** Unique in its file; names the step in expressions (`steps.ID.output`), item ids and messages. */
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  /**
   * When the step fails (not when it is cancelled, and never for a gate's abort), the run goes on: the
   * step is recorded `failed` with its output, which later steps can read. On a fan-out it also keeps
   * every item running; on a fan-out's template, that item's failure does not halt the fan-out.
   */
  readonly continue_on_error?: boolean;
  /** Where the step's mapping starts in its file. */
  readonly location?: SourceLocation;
}

/** How a shell step's standard output becomes its `output`. */
export type OutputFormat = 'text' | 'lines' | 'json';

/** `shell`: one process. */
export interface ShellStep extends StepBase {
  readonly type: 'shell';
  /**
   * An argv list (each element rendered, never through a shell), or one string run by `sh -c` in which
   * every substituted value is shell-quoted, so a value can never inject a command.
   */
  readonly run: string | readonly string[];
  /** Seconds the process may run (from its start); absent: no limit beyond the run's own. */
  readonly timeout_s?: number;
  /** The same, as spec-kit spells it; a step gives one or the other. */
  readonly timeout?: number;
  /** `text` → `output.stdout`; `lines` → also `output.lines`; `json` → also `output.data`. @default 'text' */
  readonly output_format: OutputFormat;
  /** Extra environment variables (values may hold expressions), on top of the engine's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The working directory (may hold expressions); relative to where the run was started. */
  readonly cwd?: string;
}

/** `agent`: an agent job of the job service. */
export interface AgentStep extends StepBase {
  readonly type: 'agent';
  /** An agent profile of the configuration. */
  readonly agent: string;
  readonly prompt: string;
  /** A repository key of the configuration's `repos`. */
  readonly repo?: string;
  readonly ref?: string;
  /** Sparse checkout paths. */
  readonly paths?: readonly string[];
  readonly timeout_s?: number;
}

/** `fan-out`: the template step once per item, in a sliding window. */
export interface FanOutStep extends StepBase {
  readonly type: 'fan-out';
  /** An array, or an expression that evaluates to one (e.g. `{{ steps.list.output.lines }}`). */
  readonly items: unknown;
  /**
   * How many items run at once: an integer ≥ 1, an integer written as a string (`"3"`), or one expression
   * checked when it resolves (never a silent fallback). @default 1
   */
  readonly max_concurrency: number | string;
  /** How many more times a failing item is tried. @default 0 */
  readonly retries: number;
  /** Seconds each item may run, per attempt; absent: the template's own limit. */
  readonly timeout_s?: number;
  /** The template: run once per item with `item` and `index` in scope. */
  readonly step: StepDefinition;
}

/** `fan-in`: gathers the outputs of earlier steps. */
export interface FanInStep extends StepBase {
  readonly type: 'fan-in';
  /** Ids of earlier steps whose outputs are gathered, in this order. */
  readonly wait_for: readonly string[];
  /** Extra output fields: each value rendered with `fan_in.results` in scope (spec-kit's `output:`). */
  readonly output?: Readonly<Record<string, unknown>>;
}

/** `if`: runs `then` when the condition holds, `else` otherwise. */
export interface IfStep extends StepBase {
  readonly type: 'if';
  /** An expression (or a literal); truthy runs `then`. */
  readonly condition: unknown;
  readonly then: readonly StepDefinition[];
  readonly else: readonly StepDefinition[];
}

/** What a gate does when its choice rejects (`reject` or `abort`). */
export type OnReject = 'abort' | 'skip' | 'retry';

/** `gate`: a human decision among `options`. */
export interface GateStep extends StepBase {
  readonly type: 'gate';
  /** What the approver is asked (may hold expressions). */
  readonly message: string;
  /** The choices; `reject` and `abort` reject, any other approves. @default ['approve', 'reject'] */
  readonly options: readonly string[];
  /** A rejection fails the run (`abort`), lets it go on (`skip`) or asks again (`retry`). @default 'abort' */
  readonly on_reject: OnReject;
  /** An input whose non-empty value is the decision (spec-kit's verdict input). */
  readonly verdict_input?: string;
}

/** `switch`: the steps of the case named by the expression's value, or `default`. */
export interface SwitchStep extends StepBase {
  readonly type: 'switch';
  /** Evaluated once; its value as text (trimmed) names the case. */
  readonly expression: unknown;
  readonly cases: Readonly<Record<string, readonly StepDefinition[]>>;
  readonly default: readonly StepDefinition[];
}

/** `while` (condition first) and `do-while` (body first): `steps` repeated, at most `max_iterations` times. */
export interface LoopStep extends StepBase {
  readonly type: 'while' | 'do-while';
  /** An expression; it may read the steps of the body (their latest iteration). */
  readonly condition: unknown;
  /** @default 10 */
  readonly max_iterations: number;
  readonly steps: readonly StepDefinition[];
}

/** `prompt`: a prompt sent to an agent, as one job of the job service. */
export interface PromptStep extends StepBase {
  readonly type: 'prompt';
  readonly prompt: string;
  /** The agent profile; absent: the workflow's `integration`. May hold an expression. */
  readonly integration?: string;
  readonly timeout_s?: number;
}

/** `command`: a spec-kit command (`speckit.plan`), sent to the agent as `/speckit.plan ARGS`. */
export interface CommandStep extends StepBase {
  readonly type: 'command';
  readonly command: string;
  /** `args` (appended to the command) and any other values, rendered and kept in the output. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly integration?: string;
  readonly timeout_s?: number;
}

/**
 * A step of a type registered beyond the built-in ones (later: `plan`, `qa`, `suites`): its fields as its
 * type's schema parsed them.
 */
export interface CustomStep extends StepBase {
  readonly [field: string]: unknown;
}

/** Any step. Switch on `type` to narrow the built-in ones. */
export type StepDefinition =
  | ShellStep
  | AgentStep
  | FanOutStep
  | FanInStep
  | IfStep
  | GateStep
  | SwitchStep
  | LoopStep
  | PromptStep
  | CommandStep
  | CustomStep;

/** spec-kit's advisory `requires:` block, as written. */
export interface WorkflowRequires {
  readonly speckit_version?: string;
  readonly integrations?: { readonly any?: readonly string[]; readonly all?: readonly string[] };
}

/** A loaded, validated workflow. */
export interface WorkflowDefinition {
  readonly schema_version: 1;
  readonly workflow: {
    readonly id: string;
    readonly name?: string;
    readonly description?: string;
    readonly version?: string;
    readonly author?: string;
    /** The agent profile `command` and `prompt` steps use when they name none. */
    readonly integration?: string;
  };
  readonly requires?: WorkflowRequires;
  readonly inputs: Readonly<Record<string, InputDefinition>>;
  readonly steps: readonly StepDefinition[];
  /** The file it came from (absolute), or `undefined` for inline YAML text. */
  readonly file?: string;
}
