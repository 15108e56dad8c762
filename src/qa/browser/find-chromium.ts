import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Environment } from '../../config/index.js';
import { CHROMIUM_INSTALL_COMMAND, NoBrowserError } from './errors.js';

/** The variable that names the Chromium (or Chrome) executable to use, ahead of any search. */
export const CHROMIUM_VARIABLE = 'FLOTILLA_CHROMIUM';

/** Where Chromium or Chrome is installed by Debian, Ubuntu's snap and Google's packages, in order. */
export const CHROMIUM_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
];

/** The commands looked for on `PATH` when none of `CHROMIUM_PATHS` is there. */
export const CHROMIUM_COMMANDS: readonly string[] = ['chromium', 'google-chrome'];

/**
 * The absolute path of the Chromium to drive: `FLOTILLA_CHROMIUM` when set (it must be an executable
 * file, or this throws naming the variable), else the first executable of `CHROMIUM_PATHS`, else the
 * first of `CHROMIUM_COMMANDS` on `env.PATH`. `paths` replaces `CHROMIUM_PATHS` (for tests).
 *
 * @throws NoBrowserError (`E_NO_BROWSER`) listing what was looked for and how to install Chromium.
 */
export function findChromium(
  env: Environment = process.env,
  paths: readonly string[] = CHROMIUM_PATHS,
): string {
  const chosen = env[CHROMIUM_VARIABLE];
  if (chosen !== undefined && chosen !== '') {
    const path = isAbsolute(chosen) ? chosen : undefined;
    if (path !== undefined && isExecutableFile(path)) return path;
    const why = path === undefined ? 'is not an absolute path' : 'is not an executable file';
    throw new NoBrowserError(
      `${CHROMIUM_VARIABLE}=${JSON.stringify(chosen)} ${why}: set it to the Chromium or Chrome executable, ` +
        `or unset it to look in the usual places`,
      [chosen],
    );
  }
  for (const path of paths) if (isExecutableFile(path)) return path;
  const folders = (env.PATH ?? '').split(delimiter).filter((folder) => isAbsolute(folder));
  for (const command of CHROMIUM_COMMANDS) {
    for (const folder of folders) {
      const path = join(folder, command);
      if (isExecutableFile(path)) return path;
    }
  }
  const searched = [...paths, ...CHROMIUM_COMMANDS.map((command) => `${command} on PATH`)];
  throw new NoBrowserError(
    `No Chromium found (looked for ${searched.join(', ')}). Install it with \`${CHROMIUM_INSTALL_COMMAND}\`, ` +
      `or set ${CHROMIUM_VARIABLE} to the path of a Chromium or Chrome executable`,
    searched,
  );
}

/** Whether `path` is a regular file (after links) that this process may execute. */
function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
