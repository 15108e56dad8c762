import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import type { ParsedReport, TestCase, TestOutcome } from '../types.js';
import { withoutBom } from './json-shape.js';
import { ReportError } from './report-error.js';
import { testCase, type ParseReportOptions } from './test-case.js';

type XmlNode = Readonly<Record<string, unknown>>;

/** The five entities every XML document has; no others are ever expanded. */
const XML_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]*));/g;

/**
 * Decodes the XML builtins and character references, and nothing else: entities a report's DOCTYPE
 * declares are dropped unread (`addInputEntities`), so a billion-laughs document expands nothing and a
 * reference to one stays as its literal text.
 */
const BUILTIN_ENTITIES_ONLY: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text) =>
    text.replace(ENTITY, (whole, hex?: string, decimal?: string, name?: string) => {
      if (name !== undefined) return Object.hasOwn(XML_ENTITIES, name) ? XML_ENTITIES[name]! : whole;
      const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }),
};

/** The elements that may repeat, always read as arrays so one and many look the same. */
const REPEATED = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

function newParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => REPEATED.has(name),
    // Builtins only (above); the limits bound what a DOCTYPE may declare before it is dropped.
    processEntities: { enabled: true, maxEntitySize: 1_000, maxEntityCount: 100 },
    entityDecoder: BUILTIN_ENTITIES_ONLY,
  });
}

/** A `<testsuite>` above a test: its name is a title unless it only says where the tests live. */
interface SuiteFrame {
  readonly name: string;
  readonly file: string | undefined;
  /** A run of a file, class or package (Ant's schema gives it a `timestamp`), not a describe block. */
  readonly container: boolean;
}

/**
 * The tests of a JUnit XML report: `<testsuites>` or one `<testsuite>` at the root, `<testcase>`s in
 * suites nested to any depth (Node's test runner writes a describe block as a nested `<testsuite>`
 * without a `timestamp`, and top-level tests straight under `<testsuites>`).
 *
 * - A test is `skipped` with a `<skipped>` (even beside a `<failure>`: Node writes both for a failing
 *   todo and counts it not failed), else `failed` with a `<failure>` or `<error>` (whatever reruns,
 *   Surefire's `<rerunFailure>`, followed), else `passed`; `<flakyFailure>` alone is a pass.
 * - Its file is its `file` attribute, else its `classname`, else a suite's `file`, else the name of the
 *   suite around it; its titles are the names of the describe-block suites around it, its `classname`
 *   when it is neither its file nor its name (pytest's class), then its `name` — none when the name is
 *   its file (Vitest's record of a file that failed outside its tests).
 * - `time` is seconds.
 */
export function parseJunit(text: string, options: ParseReportOptions = {}): ParsedReport {
  const xml = withoutBom(text);
  if (xml.trim() === '') throw ReportError.syntax('junit', 'the file is empty');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw ReportError.syntax('junit', `not XML: ${msg}`, line, col);
  }
  let document: unknown;
  try {
    document = newParser().parse(xml);
  } catch (error) {
    throw ReportError.syntax('junit', `not XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = asNode(document);
  const tests: TestCase[] = [];
  if ('testsuites' in root) {
    walk(asNode(root['testsuites']), [], tests, options);
  } else if ('testsuite' in root) {
    for (const suite of children(root, 'testsuite')) walkSuite(suite, [], tests, options);
  } else {
    const found = Object.keys(root)[0];
    const got = found === undefined ? 'no element' : `<${found}>`;
    throw ReportError.shape('junit', '', 'a <testsuites> or <testsuite> root element', got);
  }
  return { format: 'junit', tests };
}

function walkSuite(
  suite: XmlNode,
  above: readonly SuiteFrame[],
  out: TestCase[],
  options: ParseReportOptions,
) {
  const frame: SuiteFrame = {
    name: attribute(suite, 'name') ?? '',
    file: attribute(suite, 'file'),
    container: attribute(suite, 'timestamp') !== undefined,
  };
  walk(suite, [...above, frame], out, options);
}

function walk(node: XmlNode, suites: readonly SuiteFrame[], out: TestCase[], options: ParseReportOptions) {
  for (const test of children(node, 'testcase')) out.push(readTestCase(test, suites, options));
  for (const suite of children(node, 'testsuite')) walkSuite(suite, suites, out, options);
}

function readTestCase(test: XmlNode, suites: readonly SuiteFrame[], options: ParseReportOptions): TestCase {
  const name = attribute(test, 'name') ?? '';
  const classname = attribute(test, 'classname');
  const nearest = [...suites].reverse();
  const file =
    attribute(test, 'file') ??
    classname ??
    nearest.find((suite) => suite.file !== undefined)?.file ??
    nearest.find((suite) => suite.container)?.name ??
    '';
  const titles = suites
    .filter((suite) => !suite.container && suite.name !== file && suite.name !== classname)
    .map((suite) => suite.name);
  if (classname !== undefined && classname !== file && classname !== name) titles.push(classname);
  if (name !== file) titles.push(name);
  const problem = [...children(test, 'failure'), ...children(test, 'error')][0];
  const outcome: TestOutcome =
    children(test, 'skipped').length > 0 ? 'skipped' : problem !== undefined ? 'failed' : 'passed';
  return testCase(
    {
      file,
      titlePath: titles,
      outcome,
      durationMs: Math.round(seconds(attribute(test, 'time')) * 1e6) / 1e3,
      message: problem === undefined ? undefined : problemText(problem),
    },
    options,
  );
}

/** The text of a `<failure>` or `<error>`: its body, else its `message`, else its `type`. */
function problemText(problem: XmlNode): string {
  const body = problem['#text'];
  if (typeof body === 'string' && body.trim() !== '') return body;
  return attribute(problem, 'message') ?? attribute(problem, 'type') ?? '';
}

/** The element children called `name` of `node`, each as a node (an element with only text is `#text`). */
function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).map(asNode);
}

/** An element as the parser gives it: an object, or a bare string for one with only text (or none). */
function asNode(value: unknown): XmlNode {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as XmlNode;
  return typeof value === 'string' ? { '#text': value } : {};
}

function attribute(node: XmlNode, name: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Seconds as a report writes them (`0.002315`, `1,234.5` from some locales); `0` when absent or not a number. */
function seconds(value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number(value.replaceAll(',', ''));
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : 0;
}
