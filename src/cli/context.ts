import { loadConfig, type ConfigOverrides, type ResolvedConfig } from '../config/index.js';
import type { ExitCode } from './exit-codes.js';
import { Output } from './output.js';

/** The options every command takes (the README's command line section). */
// A type alias, not an interface: commander's option types need an index signature.
export type GlobalOptions = {
  config?: string;
  home?: string;
  json?: true;
};

/** What a command's action leaves behind for `main` to turn into an exit code. */
export interface CommandState {
  exitCode: ExitCode;
  /** Whether `--json` was given, so a failure is reported in the same mode. */
  json: boolean;
}

/** What a command's action works with: its output, its signal and the resolved configuration. */
export interface CommandContext {
  readonly output: Output;
  readonly signal: AbortSignal;
  readonly config: ResolvedConfig;
}

/**
 * Resolves the configuration (flag > environment > file > default) for one command run; `flags` are the
 * command's own flags that override settings (`--port`, `--concurrency`, …).
 */
export function createContext(
  options: GlobalOptions,
  signal: AbortSignal,
  flags: ConfigOverrides = {},
): CommandContext {
  const config = loadConfig({
    cwd: process.cwd(),
    env: process.env,
    ...(options.config === undefined ? {} : { configFile: options.config }),
    flags: { ...flags, ...(options.home === undefined ? {} : { home: options.home }) },
  });
  return { output: new Output(options.json === true), signal, config };
}
