import { SourceError, type SourceErrorDetails, type SourceIssue } from '../core/index.js';

/** Where one problem of a configuration is, and what it is. */
export interface ConfigIssue extends SourceIssue {
  /** The key path, e.g. `server.concurrency` or `agents.claude.command[0]`. */
  readonly path?: string;
  /** The environment variable or flag the bad value came from, e.g. `FLOTILLA_PORT` or `--port`. */
  readonly source?: string;
}

/** What a `ConfigError` carries besides its message. */
export type ConfigErrorDetails = SourceErrorDetails<ConfigIssue>;

/**
 * The configuration (file, environment or flags) is invalid; nothing was loaded. The message names the
 * file, line and column, or the variable or flag, then the key path, what was expected and what was found.
 * The fields describe the first problem; `issues` lists them all.
 */
export class ConfigError extends SourceError<ConfigIssue> {
  /** The environment variable or flag of the first problem. */
  readonly source?: string;

  constructor(message: string, details: ConfigErrorDetails = {}) {
    super('E_CONFIG', message, details);
    this.source = this.issues[0]?.source;
  }
}
