import { decodeLenient } from './percent.js';

/**
 * What a link that ends a session or changes an account says, as words. A crawler that follows one
 * logs itself out (and tests the rest of the site as a stranger) or changes the account it tests with.
 * Each is matched, with its words run together (`log out`, `log-out`, `log_out`, `logOut`, `LogOut.aspx`
 * are all `logout`):
 *
 * - against a whole path segment, a whole query parameter name, or a whole query value
 *   (`/users/sign_out`, `/logout.php`, `?action=logout`, `?logout`); never against part of one, so
 *   `/blog/how-to-logout-safely` and `?next=/logout` are followed;
 * - against the first words of the link's visible text (`Log out`, `Sign out of all devices`,
 *   `Unsubscribe from these emails`), never later ones, so `How to log out safely` is followed.
 *
 * A blog post whose whole slug or title starts with one of them (`/blog/logout`, `Logout tips`) is
 * skipped too: the price of never following the real ones. English only.
 */
export const DESTRUCTIVE_PHRASES: readonly string[] = [
  'log out',
  'log off',
  'sign out',
  'sign off',
  'unsubscribe',
  'deactivate',
  'delete account',
  'delete my account',
  'delete your account',
  'remove account',
  'remove my account',
  'close account',
  'close my account',
  'cancel account',
  'cancel my account',
  'cancel subscription',
  'cancel my subscription',
];

/**
 * Verbs that do what they say when a link is followed (`/posts/5/delete`, `?action=remove` in apps
 * that change state on GET, `/cart/remove/3`), matched against a whole path segment, a whole query
 * name or value, or the whole visible text (`Delete`); never as the first word of a longer text
 * (`Delete old drafts: a guide`). A page about one (`/docs/api/delete`) is skipped too.
 */
export const DESTRUCTIVE_ACTIONS: readonly string[] = ['delete', 'destroy', 'remove'];

/** Request methods that change nothing (RFC 9110 §9.2.1); a link hint naming another is destructive. */
const SAFE_METHODS = new Set(['get', 'head', 'options', 'trace']);

const PHRASES = new Set(DESTRUCTIVE_PHRASES.map(compact));
const ACTIONS = new Set(DESTRUCTIVE_ACTIONS);
/** Phrases and actions together: what a whole segment, name or value must not be. */
const WHOLE = new Set([...PHRASES, ...ACTIONS]);
/** The most words of any phrase: how many first words of a text are tried. */
const LONGEST = Math.max(...DESTRUCTIVE_PHRASES.map((phrase) => phrase.split(' ').length));

/** What a caller knows of a link besides its URL. */
export interface LinkHints {
  /** The link's visible text (or its `aria-label` or `title` when it has none). */
  readonly text?: string;
  /**
   * The method the page would use for it: `data-method`, `data-turbo-method`, `hx-delete` → `delete`,
   * a form's `method`. Anything but GET, HEAD, OPTIONS or TRACE is destructive.
   */
  readonly method?: string;
  /** The link asks for confirmation first (`data-confirm`, `data-turbo-confirm`): destructive. */
  readonly confirm?: boolean;
}

/** Whether following `url` (with what the page says of the link) would end a session or change data. */
export function isDestructive(url: URL, hints: LinkHints = {}): boolean {
  const method = hints.method?.trim().toLowerCase();
  if (method !== undefined && method !== '' && !SAFE_METHODS.has(method)) return true;
  if (hints.confirm === true) return true;
  for (const segment of url.pathname.split('/')) {
    if (isWhole(withoutExtension(decodeLenient(segment)))) return true;
  }
  for (const piece of url.search.slice(1).split('&')) {
    const equals = piece.indexOf('=');
    const parts = equals < 0 ? [piece] : [piece.slice(0, equals), piece.slice(equals + 1)];
    if (parts.some((part) => isWhole(decodeLenient(part, true)))) return true;
  }
  return hints.text !== undefined && textIsDestructive(hints.text);
}

/** Whether a link's text is an action verb alone, or starts with a destructive phrase. */
function textIsDestructive(text: string): boolean {
  const words = wordsOf(text.slice(0, 200));
  if (words.length === 1 && ACTIONS.has(words[0]!)) return true;
  let run = '';
  for (const word of words.slice(0, LONGEST)) {
    run += word;
    if (PHRASES.has(run)) return true;
  }
  return false;
}

/** `text`'s words in lower case: letters and digits, split at anything else and at `camelCase` humps. */
function wordsOf(text: string): string[] {
  return text
    .normalize('NFKC')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/**
 * Whether a segment, name or value is, as a whole, a phrase or an action. Only words and the
 * separators `-`, `_`, `.`, `+` and spaces may make it up: `/logout` (a path in `?next=/logout`)
 * and `Special:UserLogout` are not words, so never match.
 */
function isWhole(part: string): boolean {
  if (part === '' || part.length > 100 || /[^\p{L}\p{N}\-_.+\s]/u.test(part)) return false;
  return WHOLE.has(compact(part));
}

/** `text`'s words run together: `Log-Out` → `logout`. */
function compact(text: string): string {
  return wordsOf(text).join('');
}

/** A path segment without a short trailing extension: `logout.php` → `logout`. */
function withoutExtension(segment: string): string {
  return segment.replace(/(?<=.)\.[A-Za-z0-9]{1,5}$/, '');
}
