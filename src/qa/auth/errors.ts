import { FlotillaError } from '../../core/index.js';

/**
 * Logging in to the site under test failed (`E_LOGIN`): the login page did not load, has no form the
 * crawler can find, or the form did not let it in (a wrong user or password). The message names the
 * login URL and what went wrong, never the password.
 */
export class LoginError extends FlotillaError {
  /** The login page's URL, as given. */
  readonly loginUrl: string;

  constructor(loginUrl: string, message: string) {
    super('E_LOGIN', message);
    this.loginUrl = loginUrl;
  }
}

/** `text` with every occurrence of each non-empty secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== '') result = result.split(secret).join('***');
  return result;
}
