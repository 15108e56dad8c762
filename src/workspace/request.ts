import { InvalidArgumentError } from '../core/index.js';
import type { RepoConfig } from '../config/index.js';
import type { WorkspaceRequest } from './types.js';
import { unknownRepoError } from './workspace-error.js';

/** A job id that is also a safe ref name component and folder name. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;
const MAX_JOB_ID_LENGTH = 128;

/** A request checked and normalized by `checkRequest`. */
export interface CheckedRequest {
  readonly jobId: string;
  readonly repo: string;
  readonly config: RepoConfig;
  /** The ref to resolve: the asked one, the repository's default, or `HEAD`. */
  readonly ref: string;
  /** Sorted, deduplicated directories without `./` or trailing `/`; `null` for the whole tree. */
  readonly paths: readonly string[] | null;
}

/**
 * Checks a request before anything is touched: a known repository (else `E_REPO_UNKNOWN`, naming the
 * allowed keys), a job id usable in `flotilla/<jobId>`, a ref that is a non-empty string, and sparse
 * paths that stay inside the repository. An empty `paths` means the whole tree.
 */
export function checkRequest(
  request: WorkspaceRequest,
  repos: Readonly<Record<string, RepoConfig>>,
): CheckedRequest {
  const { jobId, repo, ref, paths } = request;
  if (
    typeof jobId !== 'string' ||
    jobId.length > MAX_JOB_ID_LENGTH ||
    !JOB_ID.test(jobId) ||
    jobId.endsWith('.lock')
  ) {
    throw new InvalidArgumentError(
      `Expected \`jobId\` to be letters, digits, ".", "_" and "-" (at most ${MAX_JOB_ID_LENGTH}), got ${JSON.stringify(jobId)}`,
    );
  }
  const config = typeof repo === 'string' && Object.hasOwn(repos, repo) ? repos[repo] : undefined;
  if (config === undefined) throw unknownRepoError(String(repo), Object.keys(repos));
  if (ref !== undefined && (typeof ref !== 'string' || ref === '' || ref.includes('\0'))) {
    throw new InvalidArgumentError(`Expected \`ref\` to be a non-empty string, got ${JSON.stringify(ref)}`);
  }
  return { jobId, repo, config, ref: ref ?? config.ref ?? 'HEAD', paths: normalizePaths(paths) };
}

/** Normalizes sparse paths; `null` when there are none. */
export function normalizePaths(paths: readonly string[] | undefined): readonly string[] | null {
  if (paths === undefined) return null;
  if (!Array.isArray(paths)) throw new InvalidArgumentError('Expected `paths` to be an array of directories');
  const normalized = new Set<string>();
  for (const path of paths as unknown[]) {
    const dir =
      typeof path === 'string'
        ? path
            .replace(/\/+/g, '/')
            .replace(/^(\.\/)+/, '')
            .replace(/\/$/, '')
        : '';
    const segments = dir.split('/');
    const bad =
      dir === '' ||
      dir.startsWith('/') ||
      /[\0\n\r]/.test(dir) ||
      segments.some((segment) => segment === '..' || segment === '.' || segment === '.git');
    if (bad) {
      throw new InvalidArgumentError(
        `Expected each of \`paths\` to be a directory inside the repository, got ${JSON.stringify(path)}`,
      );
    }
    normalized.add(dir);
  }
  return normalized.size === 0 ? null : [...normalized].sort();
}
