/**
 * Logging in for the crawler (docs/qa.md, "Login"): `--auth` read by `parseAuth`, a form login in a
 * context of the pool's browser (`login`), its session given to every context and renewed once for all
 * workers when it ends (`LoginSession`), and the `--cookie` and `--header` a crawl adds.
 */
export type { QaAccess } from './access.js';
export { LoginError } from './errors.js';
export {
  DEFAULT_LOGIN_TIMEOUT_MS,
  login,
  type LoginOptions,
  type LoginResult,
  type LoginSelectors,
} from './login.js';
export { parseAuth, PASSWORD_VARIABLE, withoutPassword, type Credentials } from './parse-auth.js';
export { parseCookie, parseHeader, parseHeaders, type ExtraHeader } from './parse-request.js';
export { DEFAULT_MAX_RELOGINS, LoginSession, type EndedAt, type LoginSessionOptions } from './session.js';
