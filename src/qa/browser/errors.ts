import { FlotillaError } from '../../core/index.js';

/** The command that installs Chromium on Debian and Ubuntu, as the errors say it. */
export const CHROMIUM_INSTALL_COMMAND = 'sudo apt-get install -y chromium';

/**
 * No Chromium to drive (`E_NO_BROWSER`): the variable `FLOTILLA_CHROMIUM` names no executable file, or
 * none of the usual places holds one. The message lists what was looked for and how to install it.
 */
export class NoBrowserError extends FlotillaError {
  /** The paths and commands that were looked for, in order. */
  readonly searched: readonly string[];

  constructor(message: string, searched: readonly string[]) {
    super('E_NO_BROWSER', message);
    this.searched = searched;
  }
}

/** The browser was found but could not be launched (`E_BROWSER_LAUNCH`); Playwright's error is the cause. */
export class BrowserLaunchError extends FlotillaError {
  /** The executable that was launched. */
  readonly executablePath: string;

  constructor(executablePath: string, cause: unknown) {
    super('E_BROWSER_LAUNCH', `Could not launch ${executablePath}: ${firstLine(cause)}`, { cause });
    this.executablePath = executablePath;
  }
}

/**
 * The browser crashed (`E_BROWSER_CRASHED`): every context leased from it is gone. A lease's `signal`
 * aborts with this error; `relaunched` tells whether the pool has a fresh browser for the next `acquire`.
 */
export class BrowserCrashedError extends FlotillaError {
  /** Whether the pool relaunched the browser (`false`: it gave up, and every `acquire` fails). */
  readonly relaunched: boolean;

  constructor(message: string, relaunched: boolean, options?: { cause?: unknown }) {
    super('E_BROWSER_CRASHED', message, options);
    this.relaunched = relaunched;
  }
}

/** The first line of an error's message: Playwright appends a call log that is no message. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}
