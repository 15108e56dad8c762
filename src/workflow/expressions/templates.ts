import { evaluate, isTruthy, stringify, type ExpressionScope } from './expression-evaluator.js';
import { parseExpression, type ExpressionNode, type PathRoot } from './expression-parser.js';
import { ExpressionError } from './expression-error.js';
import { ShellScanner, shellProblemMessage, type ShellPosition, type ShellSlot } from './shell-position.js';

/** How many compiled templates are kept; past it the oldest is dropped. */
const TEMPLATE_CACHE_SIZE = 1_000;

/** What an expression reads, for load-time checks. */
export interface Reference {
  readonly root: PathRoot;
  /**
   * The input's name (`inputs.NAME`), the step's id (`steps.ID`) or the context field
   * (`context.NAME`), when the path names one, so a load-time check can name an unknown one.
   */
  readonly name?: string;
  /** 1-based column of the path's start in the template text. */
  readonly column: number;
}

/** How a template renders. */
export interface RenderOptions {
  /**
   * Escapes the text of every substituted value for a `sh -c` line (e.g. `shellQuote`), given where in
   * sh syntax the value sits: outside quotes, inside the user's `'…'`, or inside their `"…"`. With it,
   * a template always renders to a string, even one that is a single expression, so no value escapes
   * it; and a value where its position cannot be vouched for (inside `$(…)`, backticks, `${…}`, a
   * comment, after a `<<` here-document) is an `ExpressionError` rather than a guess.
   */
  readonly quote?: (text: string, position: ShellPosition) => string;
}

/** A problem placing a value in a shell line, with the 1-based column of its `{{`. */
export interface ShellTemplateProblem {
  readonly message: string;
  readonly column: number;
}

/** A template parsed once, to be rendered many times. */
export interface CompiledTemplate {
  /** The template text. */
  readonly source: string;
  /** Whether the text is exactly one `{{ expr }}`, which renders to the value itself (any type). */
  readonly single: boolean;
  /** Whether the text holds any `{{ expr }}` at all. */
  readonly dynamic: boolean;
  /** Every path the template reads, in text order. */
  readonly references: readonly Reference[];
  /** The value of a single expression (without `quote`); otherwise the text with every value filled in. */
  render(scope: ExpressionScope, options?: RenderOptions): unknown;
  /** The text with every value filled in; always a string. */
  renderString(scope: ExpressionScope, options?: RenderOptions): string;
  /** The first value whose place in a shell line cannot be vouched for, or `undefined`. */
  shellProblem(): ShellTemplateProblem | undefined;
}

/** Literal text, or an expression with the 1-based column of its `{{`. */
type Part = string | { readonly node: ExpressionNode; readonly column: number };

class Template implements CompiledTemplate {
  readonly single: boolean;
  readonly dynamic: boolean;
  readonly references: readonly Reference[];
  readonly #parts: readonly Part[];
  /** Each expression's place in a shell line, worked out the first time a shell renders it. */
  #slots: readonly ShellSlot[] | undefined;

  constructor(
    readonly source: string,
    parts: readonly Part[],
  ) {
    this.#parts = parts;
    this.single = parts.length === 1 && typeof parts[0] !== 'string';
    this.dynamic = parts.some((part) => typeof part !== 'string');
    this.references = parts.flatMap((part) => (typeof part === 'string' ? [] : referencesOf(part.node)));
  }

  render(scope: ExpressionScope, options?: RenderOptions): unknown {
    const [first] = this.#parts;
    if (this.single && options?.quote === undefined && first !== undefined && typeof first !== 'string') {
      return evaluate(first.node, scope);
    }
    return this.renderString(scope, options);
  }

  renderString(scope: ExpressionScope, options?: RenderOptions): string {
    if (!this.dynamic) return this.source;
    const quote = options?.quote;
    if (quote === undefined) {
      return this.#parts
        .map((part) => (typeof part === 'string' ? part : stringify(evaluate(part.node, scope))))
        .join('');
    }
    const problem = this.shellProblem();
    if (problem !== undefined) throw new ExpressionError(problem.message, problem.column);
    const slots = this.#shellSlots();
    let slot = 0;
    let text = '';
    for (const part of this.#parts) {
      if (typeof part === 'string') {
        text += part;
      } else {
        // No slot has a problem (checked above), so each has a position.
        const position = slots[slot]?.position ?? 'bare';
        slot += 1;
        text += quote(stringify(evaluate(part.node, scope)), position);
      }
    }
    return text;
  }

  shellProblem(): ShellTemplateProblem | undefined {
    const slots = this.#shellSlots();
    const expressions = this.#parts.filter((part) => typeof part !== 'string');
    const index = slots.findIndex((slot) => slot.problem !== undefined);
    const problem = slots[index]?.problem;
    const column = expressions[index]?.column;
    if (problem === undefined || column === undefined) return undefined;
    return { message: shellProblemMessage(problem), column };
  }

  #shellSlots(): readonly ShellSlot[] {
    if (this.#slots !== undefined) return this.#slots;
    const scanner = new ShellScanner();
    const slots: ShellSlot[] = [];
    for (const part of this.#parts) {
      if (typeof part === 'string') {
        scanner.feed(part);
      } else {
        slots.push(scanner.slot());
        scanner.afterValue();
      }
    }
    this.#slots = slots;
    return slots;
  }
}

const cache = new Map<string, CompiledTemplate>();

/**
 * Parses a template (text with `{{ expr }}` segments) once; the same text gives the same object back, so
 * rendering it for each of 1,000 fan-out items parses it once.
 *
 * @throws {ExpressionError} with the 1-based column in `text` of the first problem.
 */
export function compileTemplate(text: string): CompiledTemplate {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const template = new Template(text, splitTemplate(text));
  if (cache.size >= TEMPLATE_CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(text, template);
  return template;
}

/**
 * Renders a value deeply: each string as a template (a single expression keeps its value's type), each
 * list and mapping item by item (keys stay as they are); other values are returned as they are.
 */
export function renderValue(value: unknown, scope: ExpressionScope, options?: RenderOptions): unknown {
  if (typeof value === 'string') return compileTemplate(value).render(scope, options);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope, options));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, renderValue(item, scope, options)]);
    return Object.fromEntries(entries) as unknown;
  }
  return value;
}

/** Renders a template to text: every value stringified (lists and mappings as JSON, `null` as `''`). */
export function renderString(text: string, scope: ExpressionScope, options?: RenderOptions): string {
  return compileTemplate(text).renderString(scope, options);
}

/** Rendered condition text that means "no", once trimmed and lower-cased. */
const FALSE_LITERALS: ReadonlySet<string> = new Set(['', 'false', '0']);

/**
 * Whether a condition holds. A single expression: its value's truthiness, except that a string reading
 * `true` or `false` (trimmed, any case) is that boolean: spec-kit documents that a condition reading
 * captured output "false" is false, so `{{ steps.check.output.stdout }}` with stdout `"false\n"` is
 * false. Other strings are rendered, trimmed and lower-cased: `''`, `'false'` and `'0'` are false, any
 * other text true. Anything else (a boolean, a number): its truthiness.
 */
export function evaluateCondition(value: unknown, scope: ExpressionScope): boolean {
  if (typeof value !== 'string') return isTruthy(value);
  const template = compileTemplate(value);
  if (template.single) {
    const result = template.render(scope);
    if (typeof result === 'string') {
      const word = result.trim().toLowerCase();
      if (word === 'false') return false;
      if (word === 'true') return true;
    }
    return isTruthy(result);
  }
  return !FALSE_LITERALS.has(template.renderString(scope).trim().toLowerCase());
}

/**
 * Whether a condition is text that is never evaluated: non-blank, without any `{{`, and not the word
 * `true` or `false` (trimmed, any case). `inputs.count > 100` written without braces is always true,
 * so a load-time check refuses it rather than let it silently hold.
 */
export function conditionNeverEvaluated(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const word = value.trim().toLowerCase();
  return word !== '' && !value.includes('{{') && word !== 'true' && word !== 'false';
}

/** Every path a template reads, for load-time checks. @throws {ExpressionError} when it does not parse. */
export function templateReferences(text: string): Reference[] {
  return [...compileTemplate(text).references];
}

/** Whether `text` is exactly one `{{ expr }}` that parses, with nothing outside the braces. */
export function isSingleExpression(text: string): boolean {
  try {
    return compileTemplate(text).single;
  } catch (error) {
    if (error instanceof ExpressionError) return false;
    throw error;
  }
}

/**
 * Where a shell template (a `sh -c` line) substitutes a value whose quoting cannot be vouched for:
 * inside `$(…)`, backticks, `${…}`, `$'…'`, a `#` comment, after a `<<` here-document, or right after a
 * `\` or a `$`. The same problem `renderString` with `quote` throws for, found without a scope for a
 * load-time check; `undefined` when every value has a known position.
 *
 * @throws {ExpressionError} when the template does not parse.
 */
export function shellTemplateProblem(text: string): ShellTemplateProblem | undefined {
  return compileTemplate(text).shellProblem();
}

/** Splits a template into literal text and parsed expressions. */
function splitTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open === -1) break;
    const close = closingBraces(text, open + 2);
    if (close === -1) throw new ExpressionError("'{{' is never closed with '}}'", open + 1);
    if (open > at) parts.push(text.slice(at, open));
    parts.push({ node: parseExpression(text, open + 2, close), column: open + 1 });
    at = close + 2;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/**
 * The offset of the `}}` that ends an expression starting at `from`, skipping quoted strings; or -1.
 * @throws {ExpressionError} when a string is still open at the end of the text.
 */
function closingBraces(text: string, from: number): number {
  let quote = '';
  let quoteAt = 0;
  for (let at = from; at < text.length; at += 1) {
    const c = text[at];
    if (quote !== '') {
      if (c === '\\') at += 1;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') {
      quote = c;
      quoteAt = at;
    } else if (c === '}' && text[at + 1] === '}') {
      return at;
    }
  }
  if (quote !== '') throw new ExpressionError(`unterminated string (no closing ${quote})`, quoteAt + 1);
  return -1;
}

/** The roots whose first segment names something a load-time check can look up. */
const NAMED_ROOTS: ReadonlySet<PathRoot> = new Set(['inputs', 'steps', 'context']);

function referencesOf(node: ExpressionNode): Reference[] {
  switch (node.kind) {
    case 'literal':
      return [];
    case 'path': {
      const [first] = node.segments;
      const named = NAMED_ROOTS.has(node.root) && first !== undefined;
      const column = node.offset + 1;
      return [named ? { root: node.root, name: String(first), column } : { root: node.root, column }];
    }
    case 'list':
      return node.items.flatMap(referencesOf);
    case 'not':
      return referencesOf(node.operand);
    case 'logical':
    case 'compare':
      return [...referencesOf(node.left), ...referencesOf(node.right)];
    case 'filter':
      return [...referencesOf(node.input), ...node.args.flatMap(referencesOf)];
  }
}
