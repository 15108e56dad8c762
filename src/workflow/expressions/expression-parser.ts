import { describeToken, tokenize, type Token } from './expression-lexer.js';
import { ExpressionError } from './expression-error.js';

/**
 * The names an expression may start a path with. `context` is the run's own facts (`context.run_id`,
 * `context.workflow_dir`); `fan_in` is what a fan-in step's `output:` mapping reads (`fan_in.results`).
 */
export type PathRoot = 'inputs' | 'steps' | 'item' | 'index' | 'context' | 'fan_in';

/** A comparison operator (`in` and `not in` included). */
export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

/** How many arguments each filter takes: [least, most]. */
export const FILTER_ARITY = {
  contains: [1, 1],
  default: [1, 1],
  from_json: [0, 0],
  join: [0, 1],
  json: [0, 0],
  keys: [0, 0],
  length: [0, 0],
  lower: [0, 0],
  map: [1, 1],
  trim: [0, 0],
  upper: [0, 0],
} as const satisfies Record<string, readonly [number, number]>;

/** A filter's name: `value | NAME(args)`. */
export type FilterName = keyof typeof FILTER_ARITY;

/** A parsed expression. `offset` is 0-based in the template text, for messages. */
export type ExpressionNode =
  | { readonly kind: 'literal'; readonly value: unknown; readonly offset: number }
  | {
      readonly kind: 'path';
      readonly root: PathRoot;
      readonly segments: readonly (string | number)[];
      readonly offset: number;
    }
  | { readonly kind: 'list'; readonly items: readonly ExpressionNode[]; readonly offset: number }
  | { readonly kind: 'not'; readonly operand: ExpressionNode; readonly offset: number }
  | {
      readonly kind: 'logical';
      readonly op: 'and' | 'or';
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly offset: number;
    }
  | {
      readonly kind: 'compare';
      readonly op: CompareOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly offset: number;
    }
  | {
      readonly kind: 'filter';
      readonly name: FilterName;
      readonly input: ExpressionNode;
      readonly args: readonly ExpressionNode[];
      readonly offset: number;
    };

const ROOTS: readonly string[] = [
  'inputs',
  'steps',
  'item',
  'index',
  'context',
  'fan_in',
] satisfies PathRoot[];
const LITERALS: Readonly<Record<string, unknown>> = { true: true, false: false, null: null };
const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];

/**
 * Parses the expression `text.slice(start, end)` (the inside of one `{{ … }}`).
 *
 * Grammar, loosest first:
 * ```
 * or      := and (('or' | '||') and)*
 * and     := not (('and' | '&&') not)*
 * not     := ('not' | '!') not | compare
 * compare := filtered (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in') filtered)?
 * filtered:= primary ('|' NAME ('(' (or (',' or)*)? ')')?)*
 * primary := NUMBER | STRING | true | false | null | list | '(' or ')' | ROOT ('.' NAME | '[' (NUMBER | STRING) ']')*
 * list    := '[' (or (',' or)*)? ']'
 * ```
 *
 * @throws {ExpressionError} with the 1-based column (in `text`) of the first problem.
 */
export function parseExpression(text: string, start: number, end: number): ExpressionNode {
  const tokens = tokenize(text, start, end);
  let position = 0;
  const peek = (): Token => tokens[position] ?? tokens[tokens.length - 1]!;
  const next = (): Token => {
    const token = peek();
    if (token.kind !== 'end') position += 1;
    return token;
  };
  const isOp = (token: Token, ...values: string[]) =>
    token.kind === 'op' && values.includes(String(token.value));
  const isWord = (token: Token, word: string) => token.kind === 'name' && token.value === word;
  const fail = (token: Token, message: string): never => {
    throw new ExpressionError(message, token.offset + 1);
  };
  const expect = (value: string, what: string): Token => {
    const token = next();
    return isOp(token, value) ? token : fail(token, `expected ${what}, found ${describeToken(token)}`);
  };

  /** A left-associative chain of `op` (written as the word or the symbol) over `operand`s. */
  const logical = (op: 'or' | 'and', symbol: string, operand: () => ExpressionNode) => (): ExpressionNode => {
    let left = operand();
    while (isWord(peek(), op) || isOp(peek(), symbol)) {
      const { offset } = next();
      left = { kind: 'logical', op, left, right: operand(), offset };
    }
    return left;
  };
  // `and` binds tighter than `or`; `parseNot` is hoisted through the arrow's late call.
  const parseAnd = logical('and', '&&', () => parseNot());
  const parseOr = logical('or', '||', parseAnd);
  const parseNot = (): ExpressionNode => {
    if (isWord(peek(), 'not') || isOp(peek(), '!')) {
      const { offset } = next();
      return { kind: 'not', operand: parseNot(), offset };
    }
    return parseCompare();
  };
  const parseCompare = (): ExpressionNode => {
    const left = parseFiltered();
    const token = peek();
    let op: CompareOperator | undefined;
    if (token.kind === 'op' && COMPARISONS.includes(String(token.value))) op = token.value as CompareOperator;
    else if (isWord(token, 'in')) op = 'in';
    else if (isWord(token, 'not') && isWord(tokens[position + 1] ?? token, 'in')) op = 'not in';
    if (op === undefined) return left;
    next();
    if (op === 'not in') next();
    return { kind: 'compare', op, left, right: parseFiltered(), offset: token.offset };
  };
  const parseFiltered = (): ExpressionNode => {
    let input = parsePrimary();
    while (isOp(peek(), '|')) {
      next();
      const token = next();
      if (token.kind !== 'name')
        fail(token, `expected a filter name after '|', found ${describeToken(token)}`);
      const name = String(token.value);
      if (!Object.hasOwn(FILTER_ARITY, name)) {
        fail(token, `unknown filter '${name}' (known: ${Object.keys(FILTER_ARITY).join(', ')})`);
      }
      const args: ExpressionNode[] = [];
      if (isOp(peek(), '(')) {
        next();
        if (!isOp(peek(), ')')) {
          args.push(parseOr());
          while (isOp(peek(), ',')) {
            next();
            args.push(parseOr());
          }
        }
        expect(')', `',' or ')'`);
      }
      const [least, most] = FILTER_ARITY[name as FilterName];
      if (args.length < least || args.length > most) {
        const wanted = least === most ? `${least}` : `${least} to ${most}`;
        fail(token, `filter '${name}' takes ${wanted} argument${most === 1 ? '' : 's'}, got ${args.length}`);
      }
      input = { kind: 'filter', name: name as FilterName, input, args, offset: token.offset };
    }
    return input;
  };
  const parsePrimary = (): ExpressionNode => {
    const token = next();
    if (token.kind === 'number' || token.kind === 'string') {
      return { kind: 'literal', value: token.value, offset: token.offset };
    }
    if (isOp(token, '(')) {
      const inner = parseOr();
      expect(')', `')'`);
      return inner;
    }
    if (isOp(token, '[')) return parseList(token);
    if (token.kind !== 'name') return fail(token, `expected a value, found ${describeToken(token)}`);
    const name = String(token.value);
    if (Object.hasOwn(LITERALS, name))
      return { kind: 'literal', value: LITERALS[name], offset: token.offset };
    if (!ROOTS.includes(name)) {
      return fail(
        token,
        `unknown name '${name}' (expected inputs, steps, item, index, context, fan_in or a literal)`,
      );
    }
    return { kind: 'path', root: name as PathRoot, segments: parseSegments(), offset: token.offset };
  };
  /** A list literal, its `[` already read. A trailing comma is refused: it usually means a lost item. */
  const parseList = (open: Token): ExpressionNode => {
    const items: ExpressionNode[] = [];
    if (!isOp(peek(), ']')) {
      items.push(parseOr());
      while (isOp(peek(), ',')) {
        const comma = next();
        if (isOp(peek(), ']')) fail(comma, "a trailing ',' in a list: remove it or add the missing item");
        items.push(parseOr());
      }
    }
    expect(']', `',' or ']' to end the list`);
    return { kind: 'list', items, offset: open.offset };
  };
  const parseSegments = (): (string | number)[] => {
    const segments: (string | number)[] = [];
    for (;;) {
      if (isOp(peek(), '.')) {
        next();
        const token = next();
        if (token.kind === 'number')
          fail(token, `expected a name after '.'; index a list with [${token.value}]`);
        if (token.kind !== 'name') fail(token, `expected a name after '.', found ${describeToken(token)}`);
        segments.push(String(token.value));
      } else if (isOp(peek(), '[')) {
        next();
        const token = next();
        if (token.kind !== 'number' && token.kind !== 'string') {
          fail(token, `expected a number or a quoted key after '[', found ${describeToken(token)}`);
        }
        segments.push(token.value);
        expect(']', `']'`);
      } else {
        return segments;
      }
    }
  };

  if (peek().kind === 'end') fail(peek(), 'empty expression');
  const root = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') fail(rest, `unexpected ${describeToken(rest)}`);
  checkStepPaths(root);
  return root;
}

/** `steps` must name a step by id: `steps.ID…` or `steps['ID']…`. */
function checkStepPaths(node: ExpressionNode): void {
  switch (node.kind) {
    case 'literal':
      return;
    case 'path':
      if (node.root === 'steps' && typeof node.segments[0] !== 'string') {
        throw new ExpressionError("'steps' must be followed by a step id (steps.ID.output)", node.offset + 1);
      }
      return;
    case 'list':
      return node.items.forEach(checkStepPaths);
    case 'not':
      return checkStepPaths(node.operand);
    case 'logical':
    case 'compare':
      checkStepPaths(node.left);
      return checkStepPaths(node.right);
    case 'filter':
      checkStepPaths(node.input);
      return node.args.forEach(checkStepPaths);
  }
}
