import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, Scalar } from 'yaml';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { expandEnv, type Environment } from './expand-env.js';
import { formatPath, type IssueSite } from './issues.js';
import { isSecretPath } from './secrets.js';
import { locate } from './yaml-locations.js';
import { parseYamlText, unreadableFileReason, yamlData } from './yaml-text.js';

/**
 * Reads and parses a configuration file and expands `${VAR}` in its string values. Returns its data
 * (not yet validated) and where each of its paths is, for error messages.
 *
 * A plain (unquoted) value that holds a `${…}` is read again as YAML would read its expansion, so
 * `port: ${PORT}` with `PORT=8080` is the number 8080; a quoted one (`"${PORT}"`) stays a string.
 *
 * @throws {ConfigError} when the file cannot be read, is not valid YAML, or holds a bad `${…}`.
 */
export function readConfigFile(file: string, displayName: string, env: Environment): IssueSite {
  const text = readText(file, displayName);
  const { document, lineCounter, position: at, syntaxErrors } = parseYamlText(text);

  const lines = syntaxErrors.length > 0 ? text.split('\n') : [];
  const hinted = new Set<number>();
  const syntaxIssues = syntaxErrors.map(({ line, column, reason }): ConfigIssue => {
    // `{ token: ${T} }`: the `}` of an unquoted `${…}` ends the flow mapping; say so once a line.
    const source = lines[line - 1] ?? '';
    const hint = /[{[]/.test(source) && /(^|[^"'])\$\{/.test(source) && !hinted.has(line);
    if (hint) hinted.add(line);
    const message =
      `${displayName}:${line}:${column}: invalid YAML: ${reason}` +
      (hint ? ' (inside { } or [ ], quote "${…}" values)' : '');
    return { message, file, line, column };
  });
  if (syntaxIssues.length > 0) throw ConfigError.of(displayName, syntaxIssues);

  const expansionIssues: ConfigIssue[] = [];
  expandScalars(document.contents, [], env, (path, offset, cause) => {
    const { line, column } = at(offset);
    const where = formatPath(path);
    const message = `${displayName}:${line}:${column}: ${where ? `${where}: ` : ''}${cause.message}`;
    expansionIssues.push({ message, path: where || undefined, file, line, column });
  });
  if (expansionIssues.length > 0) throw ConfigError.of(displayName, expansionIssues);

  const data = yamlData(
    document,
    displayName,
    (message, cause) => new ConfigError(message, { file, cause }),
    Buffer.byteLength(text, 'utf8'),
  );
  return {
    file,
    displayName,
    data,
    locate: (path, target) => locate(document, lineCounter, path, target),
  };
}

function readText(file: string, displayName: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = unreadableFileReason(error, 'configuration file');
    throw new ConfigError(`${displayName}: ${reason}`, { file, cause: error });
  }
}

type OnExpansionError = (path: readonly PropertyKey[], offset: number, error: ConfigError) => void;

/** Expands `${…}` in every string scalar under `node`, in place (the document is ours alone). */
function expandScalars(
  node: unknown,
  path: PropertyKey[],
  env: Environment,
  onError: OnExpansionError,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      expandScalars(pair.value, [...path, key], env, onError);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => expandScalars(item, [...path, index], env, onError));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
    try {
      // A token written inline is its own text: its error quotes only the `${NAME` in question.
      const expanded = expandEnv(node.value, env, { secret: isSecretPath(path) });
      const plain = node.type === Scalar.PLAIN && node.value.includes('${');
      node.value = plain ? readPlain(expanded) : expanded;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      onError(path, node.range?.[0] ?? 0, error);
    }
  }
  // Aliases are left alone: the node they name is expanded where it is defined.
}

/** An expanded plain value as YAML's core schema would read it: a number, a boolean, or the text. */
function readPlain(text: string): string | number | boolean {
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
