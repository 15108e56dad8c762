import type { Environment } from '../../config/index.js';
import { InvalidArgumentError } from '../../core/index.js';

/** The variable the password comes from when `--auth` gives none (`user@URL` or `user:@URL`). */
export const PASSWORD_VARIABLE = 'FLOTILLA_QA_PASSWORD';

/** Who logs in, with what, and where: what `--auth user:pass@LOGIN_URL` says. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The page with the login form (http or https), normalised. */
  readonly loginUrl: string;
}

const SHAPE = 'expected user:pass@LOGIN_URL, LOGIN_URL an http(s) URL';

/**
 * Reads `user:pass@LOGIN_URL`. The user ends at the first `:`, the password at the last `@` before
 * `http://` or `https://`, so a password may hold `:` and `@`; both are percent-decoded (`%25` for a `%`).
 * With no password, it is `env.FLOTILLA_QA_PASSWORD` (which keeps it out of the process list).
 * @throws InvalidArgumentError naming `--auth` and what is wrong; never quoting the password.
 */
export function parseAuth(text: string, env: Environment = {}): Credentials {
  let at = -1;
  for (const match of text.matchAll(/@(?=https?:\/\/)/gi)) at = match.index;
  if (at < 0) throw new InvalidArgumentError(`--auth: ${SHAPE}`);
  const given = text.slice(0, at);
  const colon = given.indexOf(':');
  const username = decode(colon < 0 ? given : given.slice(0, colon), 'user');
  let password = colon < 0 ? '' : decode(given.slice(colon + 1), 'password');
  if (username === '') throw new InvalidArgumentError(`--auth: the user is empty (${SHAPE})`);
  if (password === '') password = env[PASSWORD_VARIABLE] ?? '';
  if (password === '') {
    throw new InvalidArgumentError(
      `--auth: no password: give user:pass@LOGIN_URL, or set ${PASSWORD_VARIABLE} and give user@LOGIN_URL`,
    );
  }
  const urlText = text.slice(at + 1);
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new InvalidArgumentError(`--auth: the login URL ${JSON.stringify(urlText)} is not a URL`);
  }
  if (url.username !== '' || url.password !== '') {
    // Its user info may be a password: quote none of it.
    throw new InvalidArgumentError('--auth: the login URL holds a user or password: give them before the @');
  }
  return { username, password, loginUrl: url.href };
}

function decode(text: string, what: 'user' | 'password'): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidArgumentError(`--auth: the ${what} is not valid percent-encoding (write a % as %25)`);
  }
}

/** `env` without `PASSWORD_VARIABLE`: what the browser is started with, so it never holds the password. */
export function withoutPassword<T extends Record<string, string | undefined>>(env: T): T {
  const { [PASSWORD_VARIABLE]: _password, ...rest } = env;
  return rest as T;
}
