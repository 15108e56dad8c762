import { isScalar, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import {
  forEachZodIssue,
  formatPath,
  locate,
  parseYamlText,
  yamlData,
  type LocationTarget,
  type SourcePosition,
} from '../../config/index.js';
import { WorkflowError, type WorkflowIssue } from './workflow-error.js';

/** A path in the file's data: keys and list indexes. */
export type DataPath = readonly PropertyKey[];

/** The step a problem is in, for messages: `steps[2] (build).max_concurrency`. */
export interface StepLabel {
  readonly id: string;
  /** The step's own path, e.g. `['steps', 2]` or `['steps', 0, 'step']`. */
  readonly path: DataPath;
}

/** Where a problem is, when not at the value of its path. */
export interface IssueOptions {
  readonly step?: StepLabel;
  /** `key` to point at the key (an unknown key); default: the value. */
  readonly target?: LocationTarget;
  /** An exact position, e.g. inside a string. */
  readonly at?: SourcePosition;
}

/**
 * A workflow file's text parsed as YAML: its data, where each path of it is, and the problems found in
 * it so far, each a line `file:line:col: steps[2] (build).field: what`.
 */
export class WorkflowSource {
  readonly #issues: WorkflowIssue[] = [];

  private constructor(
    readonly text: string,
    /** The file as messages name it, or `<inline>`. */
    readonly displayName: string,
    /** The file's absolute path, when there is a file. */
    readonly file: string | undefined,
    readonly data: unknown,
    readonly document: Document,
    readonly lineCounter: LineCounter,
  ) {}

  /**
   * Parses YAML text.
   * @throws {WorkflowError} naming the line and column of every syntax error.
   */
  static parse(text: string, displayName: string, file: string | undefined): WorkflowSource {
    const { document, lineCounter, syntaxErrors } = parseYamlText(text);
    const syntax = syntaxErrors.map(({ line, column, reason }): WorkflowIssue => ({
      message: `${displayName}:${line}:${column}: invalid YAML: ${reason}`,
      file,
      line,
      column,
    }));
    if (syntax.length > 0) throw WorkflowError.of(displayName, syntax);
    const data = yamlData(
      document,
      displayName,
      (message, cause) => new WorkflowError(message, { file, cause }),
      Buffer.byteLength(text, 'utf8'),
    );
    return new WorkflowSource(text, displayName, file, data, document, lineCounter);
  }

  /** Whether any problem was reported. */
  get failed(): boolean {
    return this.#issues.length > 0;
  }

  /** Every problem reported, as one error, in file order. */
  error(): WorkflowError {
    const issues = [...this.#issues].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    return WorkflowError.of(this.displayName, issues);
  }

  /** The position of the key or value at `path`; a missing path points at its nearest parent. */
  position(path: DataPath, target: LocationTarget = 'value'): SourcePosition {
    return locate(this.document, this.lineCounter, path, target);
  }

  /**
   * The position of the 1-based `column` of the string at `path`: exact for plain and quoted scalars and
   * for block scalars' lines (when the line is found in the source as it is); else the value's start.
   */
  positionInString(path: DataPath, column: number): SourcePosition {
    const node = this.document.getIn(path, true);
    if (isScalar(node) && typeof node.value === 'string' && node.range) {
      const value = node.value;
      const index = Math.min(Math.max(column - 1, 0), value.length);
      const lineStart = value.lastIndexOf('\n', index - 1) + 1;
      const lineEnd = value.indexOf('\n', index) === -1 ? value.length : value.indexOf('\n', index);
      const line = value.slice(lineStart, lineEnd);
      const source = this.text.slice(node.range[0], node.range[1]);
      const found = line === '' ? -1 : source.indexOf(line);
      if (found !== -1) {
        const { line: sourceLine, col } = this.lineCounter.linePos(node.range[0] + found + index - lineStart);
        return { line: sourceLine, column: col };
      }
    }
    return this.position(path);
  }

  /** Records a problem at `path`: `text` completes `file:line:col: path: …`. */
  report(path: DataPath, text: string, options: IssueOptions = {}): void {
    const { line, column } = options.at ?? this.position(path, options.target);
    const where = labelOf(path, options.step);
    const message = `${this.displayName}:${line}:${column}: ${where === '' ? '' : `${where}: `}${text}`;
    this.#issues.push({
      message,
      file: this.file,
      line,
      column,
      path: formatPath(path) || undefined,
      step: options.step?.id,
    });
  }

  /**
   * Records zod's issues for `data`, found at `base` in the file, as `forEachZodIssue` walks them: one
   * per unknown key (at the key), the rest at the value with what was found.
   */
  reportZod(issues: readonly z.core.$ZodIssue[], base: DataPath, data: unknown, step?: StepLabel): void {
    forEachZodIssue(issues, data, (path, text, target) =>
      this.report([...base, ...path], text, { step, target }),
    );
  }
}

/** `steps[2] (build).max_concurrency`: the path, with the step's id after the step's own part. */
function labelOf(path: DataPath, step: StepLabel | undefined): string {
  if (step === undefined) return formatPath(path);
  const rest = formatPath(path.slice(step.path.length));
  const head = `${formatPath(step.path)} (${step.id})`;
  return rest === '' ? head : rest.startsWith('[') ? `${head}${rest}` : `${head}.${rest}`;
}
