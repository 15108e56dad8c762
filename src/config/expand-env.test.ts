import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { expandEnv } from './expand-env.js';

describe('expandEnv', () => {
  const env = { NAME: 'flotilla', EMPTY: '', DOLLAR: '$HOME', UNSET: undefined };

  it.each([
    ['${NAME}', 'flotilla'],
    ['a-${NAME}-b ${NAME}', 'a-flotilla-b flotilla'],
    ['${MISSING}', ''],
    ['${UNSET}', ''],
    ['${EMPTY}', ''],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${NAME:-fallback}', 'flotilla'],
    ['${MISSING:-}', ''],
    ['${MISSING:-a:-b c}', 'a:-b c'],
    ['$$', '$'],
    ['$${NAME}', '${NAME}'],
    ['$$$${NAME}', '$${NAME}'],
    ['$$${NAME}', '$flotilla'],
    ['cost: $5, $HOME', 'cost: $5, $HOME'],
    ['trailing $', 'trailing $'],
    ['${DOLLAR}', '$HOME'],
    ['no variables', 'no variables'],
  ])('%j → %j', (text, expected) => {
    expect(expandEnv(text, env)).toBe(expected);
  });

  it('does not expand a value again', () => {
    expect(expandEnv('${A}', { A: '${B}', B: 'no' })).toBe('${B}');
  });

  it('refuses an unterminated ${ and a bad name, naming them', () => {
    expect(() => expandEnv('x ${NAME', env)).toThrow(ConfigError);
    expect(() => expandEnv('x ${NAME', env)).toThrow('unterminated "${" in "x ${NAME"');
    expect(() => expandEnv('${1X}', env)).toThrow('invalid variable name "1X" in "${1X}"');
    expect(() => expandEnv('${}', env)).toThrow('invalid variable name ""');
    expect(() => expandEnv('${A B:-c}', env)).toThrow('invalid variable name "A B"');
  });
});
