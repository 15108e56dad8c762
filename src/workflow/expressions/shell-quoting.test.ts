import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpressionError,
  renderString,
  renderValue,
  shellQuote,
  shellTemplateProblem,
  type ExpressionScope,
} from './index.js';

/** Values that would break out of naive quoting in every way sh offers. */
const HOSTILE = [
  '; rm -rf ~',
  '$(touch PWNED)',
  '`touch PWNED`',
  "it's",
  'say "hi"',
  'a\\b',
  '\\',
  '$HOME',
  '${HOME}',
  'line1\nline2',
  "'",
  '"',
  '',
  '*',
  '--flag',
  "'; touch PWNED; echo '",
  '"; touch PWNED; echo "',
  '\\"; touch PWNED; echo \\"',
  "'\\''; touch PWNED",
  '\\$(touch PWNED)',
  '~',
  '#',
  '\t  spaced  \n',
];

/** Prints its arguments as JSON; `--` so that node does not read `--flag` as its own option. */
const ARGV = `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- `;

/** Each template, and the argv it must give for a value. */
const FORMS: readonly (readonly [string, (v: string) => string[]])[] = [
  ['{{ inputs.v }}', (v) => [v]],
  ["'{{ inputs.v }}'", (v) => [v]],
  ['"{{ inputs.v }}"', (v) => [v]],
  ['"pre-{{ inputs.v }}-post"', (v) => [`pre-${v}-post`]],
  ["'pre-{{ inputs.v }}-post'", (v) => [`pre-${v}-post`]],
  ['pre-{{ inputs.v }}-post', (v) => [`pre-${v}-post`]],
  [`'a'{{ inputs.v }}"b"`, (v) => [`a${v}b`]],
  [`"a"'{{ inputs.v }}'b`, (v) => [`a${v}b`]],
  [`'a'"{{ inputs.v }}"'b'`, (v) => [`a${v}b`]],
  [`"{{ inputs.v }}{{ inputs.v }}" '{{ inputs.v }}' {{ inputs.v }}`, (v) => [v + v, v, v]],
  [`"it's \\"{{ inputs.v }}\\"" 'say "{{ inputs.v }}"'`, (v) => [`it's "${v}"`, `say "${v}"`]],
  [`"$(echo x)" '{{ inputs.v }}' \`echo y\` "{{ inputs.v }}"`, (v) => ['x', v, 'y', v]],
  [`x#not-a-comment {{ inputs.v }}#nor-this`, (v) => ['x#not-a-comment', `${v}#nor-this`]],
  [`\${#X} $# "\${X:-d}" {{ inputs.v }}`, (v) => ['0', '0', 'd', v]],
];

describe('shell quoting by position, run with a real sh', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-shell-'));
    // `~` expands to this folder, so a broken quote cannot reach the real home; the canary shows it.
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'home', 'canary'), 'alive');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A test that lets a PWNED through fails on its own; the file must not fail the ones after it.
  afterEach(() => rmSync(join(dir, 'PWNED'), { force: true }));

  const run = (line: string): unknown =>
    JSON.parse(
      execFileSync('sh', ['-c', line], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: join(dir, 'home') },
      }),
    );

  describe.each(FORMS)('%s', (form, expected) => {
    it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('%s arrives intact', (_, v) => {
      const at: ExpressionScope = { inputs: { v }, steps: () => undefined };
      expect(shellTemplateProblem(ARGV + form)).toBeUndefined();
      const line = renderString(ARGV + form, at, { quote: shellQuote });
      expect(run(line)).toEqual(expected(v));
      expect(existsSync(join(dir, 'PWNED'))).toBe(false);
      expect(readdirSync(join(dir, 'home'))).toEqual(['canary']);
    });
  });

  it('a value in printf is printed as it is', () => {
    const at: ExpressionScope = { inputs: { v: "'$(touch PWNED)\n" }, steps: () => undefined };
    for (const form of [
      "printf '%s' {{ inputs.v }}",
      "printf '%s' '{{ inputs.v }}'",
      'printf "%s" "{{ inputs.v }}"',
    ]) {
      const line = renderString(form, at, { quote: shellQuote });
      expect(execFileSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8' })).toBe("'$(touch PWNED)\n");
    }
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });
});

describe('shellQuote', () => {
  it.each([
    ["it's", 'bare', `'it'\\''s'`],
    ['', 'bare', "''"],
    ['$x "y"', 'bare', `'$x "y"'`],
    ["it's", 'single', `it'\\''s`],
    ['', 'single', ''],
    ['a\\b "c" $d `e`', 'double', 'a\\\\b \\"c\\" \\$d \\`e\\`'],
    ["it's\n", 'double', "it's\n"],
  ] as const)('%j %s → %s', (text, position, quoted) => {
    expect(shellQuote(text, position)).toBe(quoted);
  });

  it('is bare without a position', () => {
    expect(shellQuote("a'b")).toBe(shellQuote("a'b", 'bare'));
  });
});

describe('positions that cannot be vouched for are refused', () => {
  const at: ExpressionScope = { inputs: { v: 'x' }, steps: () => undefined };
  it.each([
    ['echo $(echo {{ inputs.v }})', 'inside $(…)'],
    ['echo "$(echo "{{ inputs.v }}")"', 'inside $(…)'],
    ['echo $(cat $(ls) {{ inputs.v }})', 'inside $(…)'],
    ['echo $( (cd /; ls) {{ inputs.v }})', 'inside $(…)'],
    ['echo `echo {{ inputs.v }}`', 'inside backticks (`…`)'],
    ['echo "`echo \'{{ inputs.v }}\'`"', 'inside backticks (`…`)'],
    ['echo ${X:-{{ inputs.v }}}', 'inside ${…}'],
    ['echo "${X:-{{ inputs.v }}}"', 'inside ${…}'],
    ['echo $((1 + {{ inputs.v }}))', 'inside $((…))'],
    ["echo $'{{ inputs.v }}'", "inside $'…'"],
    ['echo hi # {{ inputs.v }}', 'after an unquoted # (in a comment)'],
    ['# {{ inputs.v }}', 'after an unquoted # (in a comment)'],
    ['echo hi;# {{ inputs.v }}', 'after an unquoted # (in a comment)'],
    ['cat <<EOF\n{{ inputs.v }}\nEOF', 'after a << here-document'],
    ["cat <<'EOF'\nEOF\necho '{{ inputs.v }}'", 'after a << here-document'],
    ['echo \\{{ inputs.v }}', 'right after a backslash'],
    ['echo "\\{{ inputs.v }}"', 'right after a backslash'],
    ['echo ${{ inputs.v }}', "right after a '$' (write {{ … }}, not ${{ … }})"],
    ['echo "${{ inputs.v }}"', "right after a '$'"],
    [`echo "\${X:-'a'}" {{ inputs.v }}`, 'after a ${…} holding quotes inside "…"'],
    ['echo "$(case a in a) echo;; esac)" {{ inputs.v }}', 'after a case … esac inside $(…)'],
  ])('%j: %s', (template, where) => {
    const column = template.indexOf('{{') + 1;
    const problem = shellTemplateProblem(template);
    expect(problem?.column).toBe(column);
    expect(problem?.message).toContain(where);
    expect(problem?.message).toContain('pass the value as an argv list (run: [...]) or through env: instead');
    let caught: unknown;
    try {
      renderString(template, at, { quote: shellQuote });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect((caught as ExpressionError).column).toBe(column);
    expect((caught as ExpressionError).message).toBe(problem?.message);
  });

  it('names the first expression that cannot be placed', () => {
    const template = 'echo {{ inputs.v }} $(echo {{ inputs.v }}) `{{ inputs.v }}`';
    expect(shellTemplateProblem(template)?.column).toBe(template.indexOf('{{', 10) + 1);
  });

  it.each([
    'echo $(date) {{ inputs.v }}',
    'echo "$(date "+%s")" "{{ inputs.v }}"',
    'echo $((1 + (2 * 3))) {{ inputs.v }}',
    "echo `date` '{{ inputs.v }}'",
    'echo ${HOME} "${X:-a}" {{ inputs.v }}',
    'echo hi # comment\necho {{ inputs.v }}',
    'echo a#b {{ inputs.v }}#c',
    'echo $(date)#x `date`#y {{ inputs.v }}',
    'echo $(# a comment in a substitution\ndate) {{ inputs.v }}',
    'echo \'#\' "#" \\# {{ inputs.v }}',
    "echo '$(' '`' '${' \"'\" {{ inputs.v }}",
    "echo '\\' {{ inputs.v }}",
    'echo "\\"" {{ inputs.v }}',
    'echo "a\\\\" {{ inputs.v }}',
    'echo $HOME/{{ inputs.v }}',
    'echo {{ inputs.v }}$HOME',
    'no expressions at all $(here) `or` ${here} # and <<EOF',
    '{{ inputs.v }}',
  ])('%j is fine', (template) => {
    expect(shellTemplateProblem(template)).toBeUndefined();
    expect(() => renderString(template, at, { quote: shellQuote })).not.toThrow();
  });

  it('without quote, nothing is refused: the text is not a shell line', () => {
    expect(renderString('echo $(echo {{ inputs.v }})', at)).toBe('echo $(echo x)');
    expect(renderValue('# {{ inputs.v }}', at)).toBe('# x');
  });
});
