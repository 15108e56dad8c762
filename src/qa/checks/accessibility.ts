import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { JSHandle, Page } from 'playwright-core';
import type { Severity } from '../report.js';
import type { CheckFinding, PageCheck } from './check.js';

/*
 * `accessibility` (docs/qa.md, "Checks"): axe-core's WCAG 2.0 and 2.1 rules, levels A and AA, on the
 * loaded page, one finding per element that breaks a rule. axe-core's browser build is put in the page
 * through the DevTools protocol, so a Content-Security-Policy that forbids inline scripts does not stop
 * it, and only when the page has no axe-core of its own; once it ran, what it left in the page (its
 * globals, its `message` listener) is taken away, so the checks after it see the page as it was.
 */

/** The axe-core tags run: WCAG 2.0 and 2.1, levels A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;
/** The most elements of one rule one page reports; the findings say how many there were. */
export const MAX_NODES_PER_RULE = 50;
/** The longest snippet (the element's HTML), in characters. */
export const MAX_SNIPPET = 300;
/** The most lines of axe's failure summary a message keeps, and the most characters. */
const MAX_SUMMARY_LINES = 6;
const MAX_SUMMARY = 600;

/** How bad each axe impact is; a rule without an impact is `low`. */
const SEVERITY_OF_IMPACT: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  serious: 'high',
  moderate: 'medium',
  minor: 'low',
};

let axeSource: string | undefined;

/** axe-core's minified browser build, read once from the installed package. */
function axeCoreSource(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** An element axe found at fault, as `runAxe` gives it. */
export interface AxeNode {
  /** axe's selector: one entry per frame, an entry an array when it goes into shadow roots. */
  readonly target: readonly (string | readonly string[])[];
  readonly html: string;
  readonly failureSummary: string;
  readonly impact: string | null;
}

/** A rule axe found broken, as `runAxe` gives it: its first elements, and how many there were. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly helpUrl: string;
  readonly description: string;
  readonly count: number;
  readonly nodes: AxeNode[];
}

/** What `saveAxeGlobals` kept of the page's globals, to put back after the run. */
interface SavedGlobals {
  /** Whether the page has an axe-core of its own (then nothing is injected, and nothing put back). */
  readonly present: boolean;
  readonly names: { readonly name: string; readonly own: boolean; readonly value: unknown }[];
  readonly elementsFromPoint: boolean;
}

/** The little of axe-core and of the page `runAxe` and its helpers use. */
interface AxeGlobals {
  axe?: {
    readonly version?: string;
    run?(
      context: unknown,
      options: unknown,
    ): Promise<{
      violations: {
        id: string;
        impact?: string | null;
        help: string;
        helpUrl: string;
        description: string;
        nodes: {
          target: (string | string[])[];
          html: string;
          failureSummary?: string;
          impact?: string | null;
        }[];
      }[];
    }>;
    teardown?(): void;
    frameMessenger?(messenger: { open: unknown; post: unknown }): void;
  };
  readonly document: object;
}

/**
 * The globals axe-core's build sets: itself, the template engine it bundles, and core-js's store (of the
 * polyfills it bundles; Chromium needs none of them, so none is installed).
 */
const AXE_GLOBALS = ['axe', 'doT', '__core-js_shared__'];

/**
 * What the page has of what axe-core's build sets (the `names`, an own `document.elementsFromPoint`),
 * and whether it has an axe-core of its own. Runs in the page.
 */
function saveAxeGlobals(names: readonly string[]): SavedGlobals {
  const page = globalThis as unknown as Record<string, unknown> & AxeGlobals;
  const present = typeof page.axe?.run === 'function' && typeof page.axe.version === 'string';
  return {
    present,
    names: names.map((name) => ({
      name,
      own: Object.prototype.hasOwnProperty.call(page, name),
      value: page[name],
    })),
    elementsFromPoint: Object.prototype.hasOwnProperty.call(page.document, 'elementsFromPoint'),
  };
}

/**
 * Runs axe-core on the document and gives its violations, each with its first `maxNodes` elements and
 * their HTML cut to `maxSnippet` characters. Runs in the page: self-contained, no named inner functions.
 */
async function runAxe(options: {
  readonly tags: readonly string[];
  readonly maxNodes: number;
  readonly maxSnippet: number;
}): Promise<AxeViolation[]> {
  const page = globalThis as unknown as AxeGlobals;
  const run = page.axe?.run?.bind(page.axe);
  if (run === undefined) throw new Error('axe-core did not load in the page');
  const results = await run(page.document, {
    runOnly: { type: 'tag', values: options.tags },
    resultTypes: ['violations'],
    // Frames are left out: axe would wait half a second for each frame that has no axe-core of its own.
    iframes: false,
  });
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact ?? null,
    help: rule.help,
    helpUrl: rule.helpUrl,
    description: rule.description,
    count: rule.nodes.length,
    nodes: rule.nodes.slice(0, options.maxNodes).map((node) => ({
      target: node.target,
      html:
        node.html.length > options.maxSnippet ? `${node.html.slice(0, options.maxSnippet - 1)}…` : node.html,
      failureSummary: (node.failureSummary ?? '').slice(0, 4_000),
      impact: node.impact ?? null,
    })),
  }));
}

/** Takes away what axe-core's build left in the page, putting back what the page had. Runs in the page. */
function restoreAxeGlobals(saved: SavedGlobals): void {
  const page = globalThis as unknown as Record<string, unknown> & AxeGlobals;
  const injected = page.axe;
  if (injected !== saved.names.find((global) => global.name === 'axe')?.value) {
    try {
      // Closes the `message` listener axe added for frames (it closes the old one before opening this
      // one). `Function.prototype` does nothing, and is no named inner function a bundler could wrap in a
      // helper the page does not have.
      injected?.frameMessenger?.({ open: Function.prototype, post: Function.prototype });
      injected?.teardown?.();
    } catch {
      // A build of axe without these: its globals still go below.
    }
  }
  for (const { name, own, value } of saved.names) {
    if (own) page[name] = value;
    else delete page[name];
  }
  if (!saved.elementsFromPoint) delete (page.document as Record<string, unknown>)['elementsFromPoint'];
}

/**
 * axe-core's violations on `page`: the page's own axe-core when it has one, else the installed one, put
 * in and taken out again.
 */
export async function auditPage(page: Page): Promise<AxeViolation[]> {
  const saved: JSHandle<SavedGlobals> = await page.evaluateHandle(saveAxeGlobals, AXE_GLOBALS);
  try {
    const present = await saved.evaluate((globals) => globals.present);
    const options = { tags: [...AXE_TAGS], maxNodes: MAX_NODES_PER_RULE, maxSnippet: MAX_SNIPPET };
    if (present) return await page.evaluate(runAxe, options);
    try {
      // A string, not a function: Playwright evaluates it as the script it is, through the DevTools
      // protocol, which the page's Content-Security-Policy does not govern.
      await page.evaluate(axeCoreSource());
      return await page.evaluate(runAxe, options);
    } finally {
      await page.evaluate(restoreAxeGlobals, saved).catch(() => undefined);
    }
  } finally {
    await saved.dispose().catch(() => undefined);
  }
}

/** axe's selector as one string: its frame and shadow-root levels joined by ` >>> `. */
export function axeSelector(target: AxeNode['target']): string {
  return target.map((level) => (typeof level === 'string' ? level : level.join(' >>> '))).join(' >>> ');
}

/** The severity of an axe impact (`serious` → `high`); none → `low`. */
export function severityOfImpact(impact: string | null): Severity {
  return (impact === null ? undefined : SEVERITY_OF_IMPACT[impact]) ?? 'low';
}

/** axe's failure summary, its first lines, trimmed, bounded; the rule's description when there is none. */
function summary(node: AxeNode, rule: AxeViolation): string {
  const lines = node.failureSummary
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const text = (lines.length === 0 ? [rule.description] : lines.slice(0, MAX_SUMMARY_LINES)).join('\n');
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

/** The findings of one violated rule: one per element, each saying when the page had more than were kept. */
export function violationFindings(rule: AxeViolation): CheckFinding[] {
  const cut =
    rule.count > rule.nodes.length
      ? `\n(${rule.count} elements of this page break this rule; the first ${rule.nodes.length} are reported.)`
      : '';
  return rule.nodes.map((node) => ({
    rule: rule.id,
    severity: severityOfImpact(node.impact ?? rule.impact),
    title: rule.help,
    message: `${summary(node, rule)}${cut}`,
    selector: axeSelector(node.target),
    snippet: node.html,
    helpUrl: rule.helpUrl,
  }));
}

/** The `accessibility` check: axe-core's WCAG 2.x A and AA rules, one finding per element at fault. */
export const accessibilityCheck: PageCheck = {
  id: 'accessibility',
  async inspect({ page }) {
    return (await auditPage(page)).flatMap(violationFindings);
  },
};
