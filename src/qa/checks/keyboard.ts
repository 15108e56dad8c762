import type { CheckFinding, PageCheck, PageCheckContext } from './check.js';
import { STUCK_PRESSES, walkTabOrder, type ReachedElement, type TabWalk } from './keyboard-walk.js';

/*
 * The `keyboard` check (docs/qa.md, "Keyboard"): a walk of the page's Tab order (`keyboard-walk.ts`)
 * and what it says: elements whose focus cannot be seen, focus that cannot leave an element or a part
 * of the page, and elements Tab never reaches.
 */

/** The most findings of one rule on one page; past it, one `findings-capped` finding says how many more. */
export const MAX_FINDINGS_PER_RULE = 25;

const HELP = {
  visible: 'https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html',
  trap: 'https://www.w3.org/WAI/WCAG22/Understanding/no-keyboard-trap.html',
  keyboard: 'https://www.w3.org/WAI/WCAG22/Understanding/keyboard.html',
};

/** The `keyboard` check: it presses Tab only, and leaves the page blurred and scrolled back. */
export const keyboardCheck: PageCheck = {
  id: 'keyboard',
  async inspect(context: PageCheckContext): Promise<CheckFinding[]> {
    return keyboardFindings(await walkTabOrder(context.page, context.signal));
  },
};

/**
 * The findings of a walk: `focus-not-visible` per element reached with no visible change of style,
 * `keyboard-trap` where focus stuck, `unreachable` per expected stop never reached (only when the walk
 * was complete), `walk-incomplete` when it was not, and `findings-capped` past `MAX_FINDINGS_PER_RULE`.
 */
export function keyboardFindings(walk: TabWalk): CheckFinding[] {
  const found: CheckFinding[] = [];
  const invisible = walk.reached.filter((one) => one.visible === false);
  found.push(...capped('focus-not-visible', invisible.map(focusNotVisible)));
  if (walk.trap !== null) found.push(trapFinding(walk));
  if (walk.end === 'cycle') {
    const missed = walk.listed.flatMap((entry, index) => {
      if (walk.reachedListed.has(index) || (entry.tabbable && entry.group !== index)) return [];
      const where = entry.selector ?? `the focusable element no. ${index + 1} in Tab order`;
      const message =
        entry.role === null
          ? `Tab went once round the page (${walk.presses} presses) without reaching ${where}: a script ` +
            'moves focus past it, or its focus is taken away as it comes.'
          : `${where} has role="${entry.role}" but is not in the Tab order (tabindex -1, or none): a keyboard ` +
            'user cannot reach it. Give it tabindex="0", or use the native element.';
      return [
        {
          rule: 'unreachable',
          severity: 'medium' as const,
          title: 'Element cannot be reached with Tab',
          message,
          selector: entry.selector,
          snippet: entry.snippet,
          helpUrl: HELP.keyboard,
        },
      ];
    });
    found.push(...capped('unreachable', missed));
  } else if (walk.unreached > 0) {
    const why =
      walk.end === 'trap'
        ? 'stopped at the keyboard trap'
        : `stopped at its bound of ${walk.bound} Tab presses before focus came back round`;
    found.push({
      rule: 'walk-incomplete',
      severity: 'info',
      title: 'Tab walk did not finish',
      message:
        `The Tab walk ${why}: ${walk.unreached} of the page's focusable elements ${walk.unreached === 1 ? 'was' : 'were'} not reached, ` +
        'and none is reported unreachable.',
      subject: 'tab-walk',
    });
  }
  return found;
}

function focusNotVisible(element: ReachedElement): CheckFinding {
  return {
    rule: 'focus-not-visible',
    severity: 'medium',
    title: 'Focus is not visible',
    message:
      `Tab focused ${element.selector}, and nothing showed it: no outline, shadow, border, background, ` +
      'colour or text decoration changed, on it, its ::before or ::after, its parent, its grandparent or its next sibling. ' +
      'A `:focus { outline: none }` rule with no other focus style does this.',
    selector: element.selector,
    snippet: element.snippet,
    helpUrl: HELP.visible,
  };
}

function trapFinding(walk: TabWalk): CheckFinding {
  const trap = walk.trap!;
  const name = (key: number): string => (key < 0 ? 'body' : (walk.reached[key]?.selector ?? 'body'));
  const at = name(trap.key);
  const n = walk.unreached;
  const left = n > 0 ? `; ${n} focusable element${n === 1 ? ' was' : 's were'} never reached` : '';
  const message =
    trap.kind === 'stuck'
      ? trap.key < 0
        ? `Tab does not move focus from the document: it stayed on the body for ${STUCK_PRESSES} presses in a row${left}.`
        : `Tab does not move focus away from ${at}: it stayed there for ${STUCK_PRESSES} presses in a row${left}.`
      : `Tab cycles among ${trap.cycle.length} elements (${trap.cycle.slice(0, 5).map(name).join(' → ')}` +
        `${trap.cycle.length > 5 ? ' → …' : ''}) and never leaves them${left}. A modal that keeps focus inside ` +
        'while it is open looks the same to a walk of the page.';
  return {
    rule: 'keyboard-trap',
    severity: 'high',
    title: 'Keyboard focus is trapped',
    message,
    selector: at,
    snippet: trap.key < 0 ? null : (walk.reached[trap.key]?.snippet ?? null),
    helpUrl: HELP.trap,
  };
}

/** The first `MAX_FINDINGS_PER_RULE` of `findings`, and one `findings-capped` finding for the rest. */
function capped(rule: string, findings: readonly CheckFinding[]): CheckFinding[] {
  if (findings.length <= MAX_FINDINGS_PER_RULE) return [...findings];
  const more = findings.length - MAX_FINDINGS_PER_RULE;
  return [
    ...findings.slice(0, MAX_FINDINGS_PER_RULE),
    {
      rule: 'findings-capped',
      severity: 'info',
      title: 'More keyboard findings on the page',
      message: `${more} more ${rule} findings on this page are not listed (at most ${MAX_FINDINGS_PER_RULE} per rule).`,
      subject: rule,
    },
  ];
}
