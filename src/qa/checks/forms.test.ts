import { describe, expect, it } from 'vitest';
import { cleanPage, useCheckSite, type CheckedPage } from './fixtures/check-harness.js';
import { domCleanPaths, domHtmlPaths, domPages, expectedLines, foundLines } from './fixtures/dom-pages.js';
import { formsCheck, MAX_FORM_FINDINGS_PER_RULE } from './forms.js';

/** Pages of this file only: edge cases of the rules, beside the area's planted pages. */
const EXTRA = {
  '/forms/many': cleanPage(
    'Many fields without a label',
    `<form action="/dom/thanks">${'<input>'.repeat(55)}<button>Send</button></form>`,
  ),
  '/forms/radios': cleanPage(
    'A required radio group without a marker',
    `<form action="/dom/thanks"><fieldset><legend>Size</legend>
<label><input type="radio" name="size" value="s" required> Small</label>
<label><input type="radio" name="size" value="l"> Large</label></fieldset><button>Order</button></form>`,
  ),
  '/forms/hidden-form': cleanPage(
    'A form kept hidden',
    '<form style="display: none" action="/dom/thanks"><input name="x"></form>',
  ),
};

const site = useCheckSite({ ...domPages, ...EXTRA });

function check(path: string): Promise<CheckedPage> {
  return site.check(path, [formsCheck]);
}

describe('forms', () => {
  it('finds each planted defect with its rule, severity and selector, and nothing else on any page', async () => {
    for (const path of domHtmlPaths) {
      const { findings } = await check(path);
      expect(foundLines(findings, path, 'forms'), path).toEqual(expectedLines(path, 'forms'));
    }
  }, 60_000);

  it('gives no finding on the clean pages, and never sends a form', async () => {
    for (const path of domCleanPaths) expect((await check(path)).findings, path).toEqual([]);
    expect(site.requests.filter((request) => /\/dom\/(thanks|search)/.test(request))).toEqual([]);
  });

  it('says what is wrong with each field, quoting its label or placeholder', async () => {
    const [missing] = (await check('/dom/forms-missing-label')).findings;
    expect(missing).toMatchObject({
      check: 'forms',
      title: 'Form field without a label',
      snippet: '<input id="nickname" name="nickname">',
    });
    expect(missing?.message).toMatch(/^This text input has no label/);
    const [placeholder] = (await check('/dom/forms-placeholder-only')).findings;
    expect(placeholder?.message).toContain(
      'Only the placeholder "Your e-mail" says what this email input is for',
    );
    const [form] = (await check('/dom/forms-no-submit')).findings;
    // A form's snippet is its opening tag, not all its fields.
    expect(form?.snippet).toBe('<form id="search" action="/dom/search">');
    const [announced] = (await check('/dom/forms-required-not-announced')).findings;
    expect(announced?.message).toContain('The label "Full name *" shows this text input is required');
    const [shown] = (await check('/dom/forms-required-not-shown')).findings;
    expect(shown?.message).toContain(
      'This tel input is required (required), but its label "Phone" shows no marker',
    );
  });

  it('judges a radio group once, at its first radio, and skips a form that is not shown', async () => {
    const { findings } = await check('/forms/radios');
    expect(findings.map(({ rule, selector }) => [rule, selector])).toEqual([
      ['required-not-shown', 'body > main > form > fieldset > label:nth-of-type(1) > input'],
    ]);
    expect((await check('/forms/hidden-form')).findings).toEqual([]);
  });

  it(`reports at most ${MAX_FORM_FINDINGS_PER_RULE} findings of a rule, and says how many there were`, async () => {
    const { findings } = await check('/forms/many');
    expect(findings).toHaveLength(MAX_FORM_FINDINGS_PER_RULE);
    expect(findings[0]?.selector).toBe('body > main > form > input:nth-of-type(1)');
    expect(findings.at(-1)?.selector).toBe(
      `body > main > form > input:nth-of-type(${MAX_FORM_FINDINGS_PER_RULE})`,
    );
    expect(findings[0]?.message).toContain(
      `(55 fields or forms of this page break this rule; the first ${MAX_FORM_FINDINGS_PER_RULE} are reported.)`,
    );
  });
});
