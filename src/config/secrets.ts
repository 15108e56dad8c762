/**
 * Whether the value at `path` of a configuration (its keys and list indexes) is a secret that no message
 * may show: `server.token`, every value of an agent's `env` (API keys live there), and an agent's
 * `api_key_env`, where a key pasted instead of its variable's name would otherwise be echoed.
 */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  const [section, name, key] = path;
  if (section === 'server') return name === 'token';
  return section === 'agents' && path.length >= 3 && (key === 'env' || key === 'api_key_env');
}

/**
 * What a secret that failed a check is, in place of the value: `a number` — its kind, never its text,
 * nor its length.
 */
export function describeSecret(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'true or false';
  return `a ${typeof value}`;
}
