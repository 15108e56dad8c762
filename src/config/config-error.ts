import { FlotillaError } from '../core/index.js';

/** Where one problem of a configuration is, and what it is. */
export interface ConfigIssue {
  /** The whole line as printed, e.g. `flotilla.config.yaml:7:16: server.concurrency: expected …`. */
  readonly message: string;
  /** The key path, e.g. `server.concurrency` or `agents.claude.command[0]`. */
  readonly path?: string;
  /** The absolute path of the file the problem is in. */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** 1-based column in `file`. */
  readonly column?: number;
  /** The environment variable or flag the bad value came from, e.g. `FLOTILLA_PORT` or `--port`. */
  readonly source?: string;
}

/** What a `ConfigError` carries besides its message. */
export interface ConfigErrorDetails extends Omit<ConfigIssue, 'message'> {
  /** Every problem found, when there are several; the error's own fields describe the first. */
  readonly issues?: readonly ConfigIssue[];
  readonly cause?: unknown;
}

/**
 * The configuration (file, environment or flags) is invalid; nothing was loaded. The message names the
 * file, line and column, or the variable or flag, then the key path, what was expected and what was found.
 * The fields describe the first problem; `issues` lists them all.
 */
export class ConfigError extends FlotillaError {
  /** The absolute path of the file of the first problem. */
  readonly file?: string;
  /** 1-based line of the first problem. */
  readonly line?: number;
  /** 1-based column of the first problem. */
  readonly column?: number;
  /** The key path of the first problem, e.g. `server.concurrency`. */
  readonly path?: string;
  /** The environment variable or flag of the first problem. */
  readonly source?: string;
  /** Every problem, in file order; one when the error is not about a file's contents. */
  readonly issues: readonly ConfigIssue[];

  constructor(message: string, details: ConfigErrorDetails = {}) {
    super('E_CONFIG', message, details.cause === undefined ? undefined : { cause: details.cause });
    const { issues, cause: _cause, ...where } = details;
    this.issues = issues ?? [{ message, ...where }];
    const first = this.issues[0] ?? where;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.path = first.path;
    this.source = first.source;
  }

  /**
   * One error for several problems: the first line sums them up under `subject` (a file's name,
   * "the environment and flags"), then one line each. A single problem is its own message.
   */
  static of(subject: string, issues: readonly ConfigIssue[]): ConfigError {
    const [first] = issues;
    if (issues.length === 1 && first !== undefined) return new ConfigError(first.message, { issues });
    const lines = issues.map((issue) => `  ${issue.message}`);
    return new ConfigError([`${subject}: ${issues.length} problems`, ...lines].join('\n'), { issues });
  }
}
