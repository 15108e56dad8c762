import { describe, expect, it } from 'vitest';
import { consoleErrorCheck, isThirdPartyNoise, MAX_CONSOLE_FINDINGS } from './console-error.js';
import { checkPage, cleanPage, useCheckSite } from './fixtures/check-harness.js';
import { cleanListenPaths, expected, listenPages } from './fixtures/listen-pages.js';

const letters = Array.from({ length: 25 }, (_, i) => String.fromCharCode(65 + i));

/** Pages of this test only: what the check must ignore, fold and cap. */
const pages = {
  ...listenPages,
  '/listen/console/ignored': cleanPage(
    'Ignored errors',
    `<img src="/listen/console/missing.png" alt="Missing">
<script>console.error('Known noise from a widget, code 17'); console.error('Another KNOWN noise');</script>
<script>console.error('A tag manager failed');
//# sourceURL=https://www.googletagmanager.com/gtm.js
</script>`,
  ),
  '/listen/console/many': cleanPage(
    'Many errors',
    `<script>${letters.map((letter) => `console.error('Problem ${letter}');`).join('\n')}</script>`,
  ),
  '/listen/console/folded': cleanPage(
    'Folded errors',
    `<script>for (let i = 1; i <= 5; i++) console.error('Retry ' + i + ' failed');
console.error(new Error('With a stack'));
console.error('x'.repeat(2000));</script>`,
  ),
};

const site = useCheckSite(pages);

describe('console-error', () => {
  it('gives the planted console error with its text and source, and nothing for the clean pages', async () => {
    for (const { path, rule, severity } of expected.filter((one) => one.check === 'console-error')) {
      const { findings } = await site.check(path, [consoleErrorCheck]);
      expect(findings).toHaveLength(1);
      const [found] = findings;
      expect(found).toMatchObject({ check: 'console-error', rule, severity, selector: null });
      expect(found?.message).toMatch(
        new RegExp(`^Checkout failed: the cart is empty \\(at ${site.origin}/listen/console-error:\\d+\\)$`),
      );
      expect(found?.snippet).toMatch(new RegExp(`^${site.origin}/listen/console-error:\\d+$`));
    }
    for (const path of cleanListenPaths) {
      const { findings } = await site.check(path, [consoleErrorCheck]);
      expect(findings, path).toEqual([]);
    }
  });

  it('ignores the ignore_console patterns, a third-party host and Chromium’s failed-resource lines', async () => {
    const url = `${site.origin}/listen/console/ignored`;
    const unfiltered = await checkPage(site.pool, url, [consoleErrorCheck]);
    // Only the ignore patterns are left to do: the 404 image's line and the tag manager's error are not findings.
    expect(unfiltered.findings.map((one) => one.message.replace(/ \(at .*\)$/, ''))).toEqual([
      'Known noise from a widget, code 17',
      'Another KNOWN noise',
    ]);
    // A global pattern tests each message whole (its lastIndex neither read nor moved).
    const global = /known noise/gi;
    const filtered = await checkPage(site.pool, url, [consoleErrorCheck], {
      settings: { ignoreConsole: [global] },
    });
    expect(filtered.findings).toEqual([]);
    expect(global.lastIndex).toBe(0);
  });

  it('gives one finding per distinct message (numbers folded, the first line of a stack), bounded', async () => {
    const { findings } = await site.check('/listen/console/folded', [consoleErrorCheck]);
    expect(findings.map((one) => one.message.replace(/ \(at .*\)$/, '').slice(0, 20))).toEqual([
      'Retry 1 failed',
      'Error: With a stack',
      'x'.repeat(20),
    ]);
    expect(findings[2]?.message.replace(/ \(at .*\)$/, '')).toHaveLength(500);
    expect(findings[2]?.message).toMatch(/x…/);
  });

  it(`gives at most ${MAX_CONSOLE_FINDINGS} findings a page`, async () => {
    const { findings } = await site.check('/listen/console/many', [consoleErrorCheck]);
    expect(findings).toHaveLength(MAX_CONSOLE_FINDINGS);
    expect(new Set(findings.map((one) => one.fingerprint)).size).toBe(MAX_CONSOLE_FINDINGS);
    expect(findings.at(-1)?.message).toMatch(/^Problem T /);
  });

  it('knows the third-party hosts and their subdomains, not hosts that only end like them', () => {
    expect(isThirdPartyNoise('https://www.google-analytics.com/analytics.js')).toBe(true);
    expect(isThirdPartyNoise('https://connect.facebook.net/en_US/fbevents.js')).toBe(true);
    expect(isThirdPartyNoise('https://doubleclick.net/x')).toBe(true);
    expect(isThirdPartyNoise('https://notdoubleclick.net/x')).toBe(false);
    expect(isThirdPartyNoise('https://shop.test/hotjar.com.js')).toBe(false);
    expect(isThirdPartyNoise('')).toBe(false);
  });
});
