import { FlotillaError, type ErrorCode } from '../../core/index.js';

/** How a step that did not succeed ended. */
export type StepFailureStatus = 'failed' | 'timed_out';

/**
 * A step did not succeed: a process exited non-zero, an agent job failed, a gate was rejected, a fan-out
 * halted. `output` is what the step produced anyway (kept with its record, e.g. the exit code and stdout
 * of a failed command, or the prefix of a halted fan-out's results).
 */
export class StepError extends FlotillaError {
  readonly status: StepFailureStatus;
  readonly output: unknown;
  /** A deliberate stop (a gate's abort): `continue_on_error` does not route around it. */
  readonly aborts: boolean;

  constructor(
    message: string,
    options: {
      status?: StepFailureStatus;
      output?: unknown;
      cause?: unknown;
      code?: ErrorCode;
      aborts?: boolean;
    } = {},
  ) {
    super(
      options.code ?? 'E_STEP_FAILED',
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = options.status ?? 'failed';
    this.output = options.output;
    this.aborts = options.aborts ?? false;
  }
}

/** The run cannot go on until a human decides at a gate: it pauses (internal; never reaches a caller). */
export class RunPausedSignal extends Error {
  readonly itemId: string;
  /** What the approver is asked. */
  readonly question: string;
  /** The choices the approver has. */
  readonly options: readonly string[];

  constructor(itemId: string, question: string, options: readonly string[] = ['approve', 'reject']) {
    super(`waiting for approval at ${itemId}`);
    this.itemId = itemId;
    this.question = question;
    this.options = options;
  }
}

/** The codes a `RunError` carries. */
export type RunErrorCode = Extract<
  ErrorCode,
  | 'E_RUN_NOT_FOUND'
  | 'E_RUN_BUSY'
  | 'E_RUN_NOT_RESUMABLE'
  | 'E_RUN_NOT_WAITING'
  | 'E_INVALID_ARGUMENT'
  | 'E_STATE'
>;

/** Errors of the engine's API (not of a step). */
export class RunError extends FlotillaError {
  declare readonly code: RunErrorCode;

  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
