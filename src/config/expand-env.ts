import { ConfigError } from './config-error.js';

/** The environment variables a configuration may read: `process.env` or a test's own record. */
export type Environment = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Options of `expandEnv`. */
export interface ExpandEnvOptions {
  /**
   * The text is a secret (a token, an API key): an error quotes only the `${NAME` it is about, never the
   * characters around it nor a default.
   * @default false
   */
  readonly secret?: boolean;
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in `text` from `env`, as a POSIX shell would:
 *
 * - `${VAR}` is the variable's value, or `""` when it is not set;
 * - `${VAR:-default}` is `default` when the variable is not set or is empty;
 * - `$$` is a literal `$`; any other `$` stays as it is (`$HOME` is not expanded: braces are required).
 *
 * The result is never expanded again, and `default` is taken literally (no nesting).
 *
 * @throws {ConfigError} on `${` with no closing `}` or a name that is not `[A-Za-z_][A-Za-z0-9_]*`; with
 *   `secret`, the message quotes no more of `text` than the `${NAME` in question (see `ExpandEnvOptions`).
 */
export function expandEnv(text: string, env: Environment, options: ExpandEnvOptions = {}): string {
  let result = '';
  let from = 0;
  for (let at = text.indexOf('$'); at !== -1; at = text.indexOf('$', from)) {
    result += text.slice(from, at);
    const next = text[at + 1];
    if (next === '$') {
      result += '$';
      from = at + 2;
    } else if (next === '{') {
      const close = text.indexOf('}', at + 2);
      if (close === -1) {
        // A secret's own characters are around the `${`, or in its default: quote only the name's part.
        const shown = options.secret === true ? text.slice(at).replace(/:-[^]*$/, ':-…') : text;
        throw new ConfigError(
          `unterminated "\${" in ${JSON.stringify(shown)} (write "$$" for a literal "$")`,
        );
      }
      result += substitute(text.slice(at + 2, close), env, options.secret === true);
      from = close + 1;
    } else {
      result += '$';
      from = at + 1;
    }
  }
  return result + text.slice(from);
}

/** The value of one `${…}`, given what is between the braces; a `secret`'s default is never quoted. */
function substitute(expression: string, env: Environment, secret: boolean): string {
  const separator = expression.indexOf(':-');
  const name = separator === -1 ? expression : expression.slice(0, separator);
  if (!NAME.test(name)) {
    const where = secret ? '' : ` in "\${${expression}}"`;
    throw new ConfigError(
      `invalid variable name ${JSON.stringify(name)}${where} (expected letters, digits and _)`,
    );
  }
  const value = env[name];
  if (separator === -1) return value ?? '';
  return value === undefined || value === '' ? expression.slice(separator + 2) : value;
}
