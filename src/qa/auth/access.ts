import type { BrowserCookie, StorageState } from '../browser/index.js';
import type { LoginSelectors } from './login.js';
import type { Credentials } from './parse-auth.js';

/**
 * How a run gets into the site: what every context of its browser starts with (a saved session, extra
 * headers and cookies) and the form login to do once before crawling. It holds secrets, so it is given to
 * a run, never stored with it: a resumed run that logged in is given it again.
 */
export interface QaAccess {
  readonly pool: {
    readonly storageState?: StorageState;
    readonly headers?: Readonly<Record<string, string>>;
    readonly cookies?: readonly BrowserCookie[];
  };
  readonly login?: { readonly credentials: Credentials; readonly selectors: LoginSelectors };
}
