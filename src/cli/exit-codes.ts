/** The process exit codes of every command (the README's command line section). */
export const ExitCode = {
  /** The work ran and found nothing wrong. */
  Ok: 0,
  /** The work ran and found failures: failed jobs, findings at or above `--fail-on`, failed tests. */
  Failures: 1,
  /** A bad flag, argument or configuration: nothing ran. */
  Usage: 2,
  /** Stopped by SIGINT/SIGTERM (128 + SIGINT). */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
