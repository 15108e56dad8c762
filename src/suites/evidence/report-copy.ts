import { copyFile, cp, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LAYOUT } from './layout.js';

/** Names the copy of a report must not take inside an attempt's folder. */
const RESERVED = new Set<string>([LAYOUT.attemptLog, LAYOUT.attemptResult, LAYOUT.attemptOut]);

const toPosix = (path: string): string => path.split(sep).join('/');

/** Whether `error` is a file system error with one of `codes` (`ENOENT`, `EEXIST`, …). */
export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** Whether `path` is `dir` or lies inside it. */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Copies the report at `reportPath` (a file, or a folder with everything in it) into `attemptDir`, under
 * its own name unless that is one of the attempt's own files (then `report-<name>`). A report already
 * inside `attemptDir` (written to `out/`) stays where it is. Resolves to the report's path relative to
 * `evidenceDir`, or `null` when there is no report at `reportPath`.
 */
export async function copyReport(
  evidenceDir: string,
  attemptDir: string,
  reportPath: string,
): Promise<string | null> {
  const source = resolve(reportPath);
  const info = await stat(source).catch((error: unknown) => {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (info === undefined) return null;
  if (isInside(attemptDir, source)) return toPosix(relative(evidenceDir, source));
  const name = RESERVED.has(basename(source)) ? `report-${basename(source)}` : basename(source);
  const target = join(attemptDir, name);
  if (info.isDirectory()) await cp(source, target, { recursive: true });
  else await copyFile(source, target);
  return toPosix(relative(evidenceDir, target));
}
