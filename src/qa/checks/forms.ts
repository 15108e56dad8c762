import type { CheckFinding, PageCheck } from './check.js';
import { withSelectorBuilder, type ElementSelector, type SelectorElement } from './dom-selector.js';

/*
 * `forms` (docs/qa.md, "Checks"): the fields of the page's forms, as a user of a screen reader and a
 * sighted user meet them. It reads the document; it never submits, types or clicks.
 */

/** The most findings of one rule one page gives; when it had more, each says how many. */
export const MAX_FORM_FINDINGS_PER_RULE = 50;
/** The longest snippet, in characters. */
const MAX_SNIPPET = 300;
/** The longest label text or placeholder a message quotes, in characters. */
const MAX_QUOTE = 80;

/** The rules of `forms`. */
export type FormRule =
  'missing-label' | 'placeholder-only-label' | 'no-submit' | 'required-not-announced' | 'required-not-shown';

/** A field or form at fault, as `readForms` gives it. */
export interface FormProblem {
  readonly rule: FormRule;
  readonly selector: string;
  readonly snippet: string;
  /** What kind of field (`text input`, `select`, `form`). */
  readonly kind: string;
  /** The label's text (the placeholder's for `placeholder-only-label`), short; `''` when there is none. */
  readonly text: string;
  /** How the field is required (`required`, `aria-required="true"`), for `required-not-shown`. */
  readonly how: string;
  /** How many problems of this rule the page has (more than are given when over the bound). */
  readonly total: number;
}

/** The little of the DOM `readForms` uses (the project's types have no DOM library). */
interface FormElement extends SelectorElement {
  readonly type: string;
  readonly name: string;
  readonly required: boolean;
  readonly outerHTML: string;
  readonly textContent: string | null;
  readonly labels?: ArrayLike<FormElement> | null;
  readonly form?: FormElement | null;
  readonly elements?: ArrayLike<FormElement>;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  closest(selectors: string): FormElement | null;
  querySelector(selectors: string): FormElement | null;
  querySelectorAll(selectors: string): ArrayLike<FormElement>;
  cloneNode(deep: boolean): FormElement;
  remove(): void;
  checkVisibility?(options: { visibilityProperty: boolean }): boolean;
}

interface FormGlobals {
  readonly document: {
    getElementById(id: string): FormElement | null;
    querySelectorAll(selectors: string): ArrayLike<FormElement>;
  };
  getComputedStyle(element: FormElement, pseudo: string): { readonly content: string };
}

/** What `readForms` is given. */
interface ReadFormsOptions {
  readonly selectorOf: ElementSelector;
  readonly max: number;
  readonly maxSnippet: number;
  readonly maxQuote: number;
}

/**
 * The form problems of the document it runs in, at most `max` of each rule. It runs in the page
 * (`page.evaluate`), so it is self-contained, with no named inner functions (a bundler may wrap those in
 * helpers the page does not have); it gets the selector builder of `dom-selector.ts` as an argument.
 * Only rendered fields and forms are judged (not `display: none`, not `visibility: hidden`): one a page
 * keeps hidden until a click is judged on the page that shows it.
 */
function readForms(options: ReadFormsOptions): FormProblem[] {
  const page = globalThis as unknown as FormGlobals;
  const document = page.document;
  // A label shows its field is required with a `*` or the word (`(required)`, `Required`).
  const marker = /\*|\brequired\b/i;
  const hits: { rule: FormRule; element: FormElement; kind: string; text: string; how: string }[] = [];
  const radioGroups = new Set<string>();
  const skipped = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  for (const control of Array.from(document.querySelectorAll('input, select, textarea'))) {
    const type = control.localName === 'input' ? control.type : control.localName;
    if (skipped.has(type)) continue;
    if (control.checkVisibility?.({ visibilityProperty: true }) === false) continue;
    const kind = control.localName === 'input' ? `${type} input` : type;
    const labels = Array.from(control.labels ?? []);
    const choice = type === 'radio' || type === 'checkbox';
    const group = choice ? control.closest('fieldset, [role="radiogroup"], [role="group"]') : null;
    const legend = group?.querySelector('legend') ?? null;
    const [labelledBy = '', described = '', groupLabelledBy = ''] = [
      control.getAttribute('aria-labelledby'),
      control.getAttribute('aria-describedby'),
      group?.getAttribute('aria-labelledby') ?? null,
    ].map((ids) =>
      (ids ?? '')
        .split(/\s+/)
        .filter((id) => id !== '')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
    // A label that wraps its field: its text without the fields' own (a select's options).
    const labelText = labels
      .map((label) => {
        const copy = label.cloneNode(true);
        for (const inner of Array.from(copy.querySelectorAll('input, select, textarea, button')))
          inner.remove();
        return copy.textContent ?? '';
      })
      .join(' ');
    const shown = `${labelText} ${labelledBy}`.replace(/\s+/g, ' ').trim();
    const ariaLabel = (control.getAttribute('aria-label') ?? '').trim();
    const title = (control.getAttribute('title') ?? '').trim();
    if (shown === '' && ariaLabel === '' && title === '') {
      const placeholder = (control.getAttribute('placeholder') ?? '').replace(/\s+/g, ' ').trim();
      const rule = placeholder === '' ? 'missing-label' : 'placeholder-only-label';
      hits.push({ rule, element: control, kind, text: placeholder, how: '' });
      continue;
    }
    // Whether it is required is asked only of a field with a label on the page, which could show it.
    if (shown === '') continue;
    const how = control.hasAttribute('required')
      ? 'required'
      : control.getAttribute('aria-required') === 'true'
        ? 'aria-required="true"'
        : group?.getAttribute('aria-required') === 'true'
          ? 'its group\'s aria-required="true"'
          : '';
    let required = how !== '';
    if (type === 'radio' && control.name !== '') {
      // A radio group is one field: judged once, at its first radio, required when any of its radios is.
      const scope = control.form ?? null;
      const key = `${scope === null ? '' : options.selectorOf(scope)}\u0000${control.name}`;
      if (radioGroups.has(key)) continue;
      radioGroups.add(key);
      required ||= Array.from(document.querySelectorAll('input[type="radio" i]')).some(
        (radio) => radio.name === control.name && (radio.form ?? null) === scope && radio.required,
      );
    }
    // A `*` a style sheet adds (`label.required::after { content: " *" }`) shows it too.
    const generated = [...labels, ...(legend === null ? [] : [legend])]
      .flatMap((element) =>
        ['::before', '::after'].map((pseudo) => page.getComputedStyle(element, pseudo).content),
      )
      .filter((content) => content !== 'none' && content !== 'normal')
      .join(' ');
    const marked = marker.test(`${shown} ${legend?.textContent ?? ''} ${groupLabelledBy} ${generated}`);
    if (marked && !required)
      hits.push({ rule: 'required-not-announced', element: control, kind, text: shown, how });
    else if (required && !marked && !marker.test(described)) {
      hits.push({ rule: 'required-not-shown', element: control, kind, text: shown, how: how || 'required' });
    }
  }
  for (const form of Array.from(document.querySelectorAll('form'))) {
    if (form.checkVisibility?.({ visibilityProperty: true }) === false) continue;
    // `elements` has the form's own controls and those outside it that name it (`form="checkout"`).
    const submit = Array.from(form.elements ?? []).some(
      (element) =>
        (element.localName === 'button' && element.type === 'submit') ||
        (element.localName === 'input' && (element.type === 'submit' || element.type === 'image')),
    );
    if (!submit) hits.push({ rule: 'no-submit', element: form, kind: 'form', text: '', how: '' });
  }
  const counts = new Map<FormRule, number>();
  const kept: typeof hits = [];
  for (const hit of hits) {
    const seen = (counts.get(hit.rule) ?? 0) + 1;
    counts.set(hit.rule, seen);
    if (seen <= options.max) kept.push(hit);
  }
  return kept.map((hit) => {
    const html = hit.element.outerHTML;
    // A form's HTML is all its fields: its opening tag says which form it is.
    const snippet = hit.rule === 'no-submit' ? html.slice(0, html.indexOf('>') + 1) : html;
    return {
      rule: hit.rule,
      selector: options.selectorOf(hit.element),
      snippet: snippet.length > options.maxSnippet ? `${snippet.slice(0, options.maxSnippet - 1)}…` : snippet,
      kind: hit.kind,
      text: hit.text.length > options.maxQuote ? `${hit.text.slice(0, options.maxQuote - 1)}…` : hit.text,
      how: hit.how,
      total: counts.get(hit.rule) ?? 0,
    };
  });
}

/** What each rule is called, how bad it is, and what it means for the user (the message, less the cut note). */
const RULES: Readonly<
  Record<
    FormRule,
    { severity: CheckFinding['severity']; title: string; message(problem: FormProblem): string }
  >
> = {
  'missing-label': {
    severity: 'high',
    title: 'Form field without a label',
    message: (problem) =>
      `This ${problem.kind} has no label: no <label>, aria-label, aria-labelledby or title names it, so a screen reader announces it with no name.`,
  },
  'placeholder-only-label': {
    severity: 'medium',
    title: 'Form field labelled only by its placeholder',
    message: (problem) =>
      `Only the placeholder ${JSON.stringify(problem.text)} says what this ${problem.kind} is for: it goes away as soon as one types, and it is no label for every assistive technology. Give the field a <label>.`,
  },
  'no-submit': {
    severity: 'medium',
    title: 'Form without a submit button',
    message: () =>
      'This form has no submit button (a <button> of type submit, <input type="submit"> or <input type="image">): it can be sent only with Enter or by a script, and users who do not know that are stuck.',
  },
  'required-not-announced': {
    severity: 'medium',
    title: 'Required field not marked as required',
    message: (problem) =>
      `The label ${JSON.stringify(problem.text)} shows this ${problem.kind} is required, but the field has neither the required attribute nor aria-required="true": assistive technologies do not announce it as required.`,
  },
  'required-not-shown': {
    severity: 'low',
    title: 'Required field whose label does not show it',
    message: (problem) =>
      `This ${problem.kind} is required (${problem.how}), but its label ${JSON.stringify(problem.text)} shows no marker (a * or the word "required"), nor does its description: sighted users learn it only when the form is refused.`,
  },
};

/** The finding of one problem, saying when the page had more of its rule than were kept. */
export function formFinding(problem: FormProblem, kept: number): CheckFinding {
  const rule = RULES[problem.rule];
  const cut =
    problem.total > kept
      ? ` (${problem.total} fields or forms of this page break this rule; the first ${kept} are reported.)`
      : '';
  return {
    rule: problem.rule,
    severity: rule.severity,
    title: rule.title,
    message: `${rule.message(problem)}${cut}`,
    selector: problem.selector,
    snippet: problem.snippet,
  };
}

/**
 * The `forms` check: fields with no label (`missing-label`, high) or only a placeholder
 * (`placeholder-only-label`, medium), forms with no submit button (`no-submit`, medium), and required
 * fields whose label and markup disagree (`required-not-announced`, medium; `required-not-shown`, low).
 */
export const formsCheck: PageCheck = {
  id: 'forms',
  async inspect({ page }) {
    const problems = await withSelectorBuilder(page, (selectorOf) =>
      page.evaluate(readForms, {
        selectorOf,
        max: MAX_FORM_FINDINGS_PER_RULE,
        maxSnippet: MAX_SNIPPET,
        maxQuote: MAX_QUOTE,
      }),
    );
    return problems.map((problem) => formFinding(problem, MAX_FORM_FINDINGS_PER_RULE));
  },
};
