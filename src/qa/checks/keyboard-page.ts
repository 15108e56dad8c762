/*
 * The in-page side of the `keyboard` check (docs/qa.md, "Keyboard"): `tabWalkInPage` runs in the page
 * through `page.evaluate`, once to start the walk, once after every Tab press, once to end it. It keeps
 * what it knows of the page in a state object that lives in the page (a handle on the Node side), so
 * elements are told apart by identity, not by a selector two elements may share.
 */

import type {
  ListedElement,
  TabStop,
  TabWalkReply,
  TabWalkRequest,
  WalkElement,
} from './keyboard-walk-types.js';

/** The globals the walk uses. */
interface WalkGlobals {
  readonly document: {
    readonly body: WalkElement | null;
    readonly documentElement: WalkElement;
    readonly activeElement: WalkElement | null;
    querySelector(selectors: string): WalkElement | null;
    querySelectorAll(selectors: string): ArrayLike<WalkElement>;
    hasFocus(): boolean;
  };
  readonly CSS: { escape(text: string): string };
  readonly scrollX: number;
  readonly scrollY: number;
  scrollTo(options: { top: number; left: number; behavior: string }): void;
  focus(): void;
  addEventListener(
    type: string,
    listener: (event: { readonly target: unknown }) => void,
    options: { capture: boolean; signal: unknown },
  ): void;
  readonly AbortController: new () => { readonly signal: unknown; abort(): void };
  getComputedStyle(element: WalkElement, pseudo: string | null): { getPropertyValue(name: string): string };
  requestAnimationFrame(callback: () => void): number;
  setTimeout(callback: () => void, ms: number): number;
}

/**
 * One phase of the Tab walk, in the page. `start` blurs the focused element, lists the elements that
 * should be reachable and takes their unfocused style; `read` says where focus is after a Tab and
 * whether its style changed; `end` blurs again, puts the scroll positions back and judges the reached
 * elements that had no unfocused style yet (taken now, unfocused). It runs in the page, so it is
 * self-contained: no imports, no named inner functions (a bundler may wrap their names in helpers the
 * page does not have). It never clicks, types or submits, and `end` leaves focus and scrolling as
 * `start` found them (blurred, scrolled back).
 */
export async function tabWalkInPage(request: TabWalkRequest): Promise<TabWalkReply> {
  const g = globalThis as unknown as WalkGlobals;
  const { document } = g;
  const { state, phase, properties } = request;
  const frames = ['iframe', 'frame', 'object', 'embed'];
  const multiStop = ['date', 'time', 'datetime-local', 'month', 'week'];
  const voids = ['input', 'area', 'embed', 'img', 'br', 'hr', 'wbr', 'source', 'track', 'col'];
  const natural =
    'a[href], button, input:not([type="hidden" i]), select, textarea, summary, iframe, ' +
    'audio[controls], video[controls], [contenteditable]';
  const listed: ListedElement[] = [];
  const visible: (boolean | null)[] = [];
  let stop: TabStop | null = null;
  let composites = 0;
  if (phase !== 'read') {
    // Blurring leaves the browser's starting point where it was (after an autofocused field, say): a
    // walk may begin mid-page, which is why it ends on a full cycle (an element reached again after
    // focus left the page), not on a last element.
    document.activeElement?.blur();
    g.focus();
  }
  if (phase === 'end') {
    state.listening?.abort();
    for (const { box, top, left } of state.scrolls ?? []) {
      if (box === null) g.scrollTo({ top, left, behavior: 'instant' });
      else if (box.isConnected && (box.scrollTop !== top || box.scrollLeft !== left)) {
        box.scrollTop = top;
        box.scrollLeft = left;
      }
    }
  }

  // Which elements need a selector (`named`) and a style read (`styled`), by phase.
  const named: WalkElement[] = [];
  const styled: WalkElement[] = [];
  if (phase === 'start') {
    const tabbable: WalkElement[] = [];
    const widgets: { element: WalkElement; role: string }[] = [];
    const widgetRoles = [
      'button',
      'link',
      'checkbox',
      'switch',
      'slider',
      'spinbutton',
      'textbox',
      'searchbox',
    ];
    const roving =
      '[role~="tablist"], [role~="menu"], [role~="menubar"], [role~="listbox"], [role~="radiogroup"], ' +
      '[role~="toolbar"], [role~="grid"], [role~="treegrid"], [role~="tree"], [role~="combobox"]';
    let modal: WalkElement | null = null;
    try {
      modal = document.querySelector('dialog:modal');
    } catch {
      modal = null;
    }
    const candidates = document.querySelectorAll(`${natural}, [tabindex], [role]`);
    for (let i = 0; i < candidates.length; i++) {
      const element = candidates[i];
      if (element === undefined) continue;
      let inOrder: boolean;
      if (element.hasAttribute('tabindex')) inOrder = element.tabIndex >= 0;
      else if (element.localName === 'summary') {
        const details = element.parentElement;
        inOrder = details?.localName === 'details' && details.querySelector(':scope > summary') === element;
      } else if (element.matches('[contenteditable]')) {
        inOrder = element.isContentEditable && element.parentElement?.isContentEditable !== true;
      } else inOrder = element.matches(natural);
      const role = inOrder ? '' : ((element.getAttribute('role') ?? '').trim().split(/\s+/)[0] ?? '');
      // Not in the Tab order: only a widget role on an element not natively focusable counts, and
      // not in a composite widget, whose roving tabindex keeps one member in the order on purpose.
      if (!inOrder) {
        if (!widgetRoles.includes(role.toLowerCase()) || element.matches(natural)) continue;
        if (element.getAttribute('aria-disabled') === 'true' || element.closest(roving) !== null) continue;
        if (element.querySelector(`${natural}, [tabindex]:not([tabindex^="-"])`) !== null) continue;
      }
      // Out of reach by design: disabled, inert (or outside an open modal dialog), hidden from
      // assistive technology, not rendered (display: none, a closed <details>, visibility: hidden).
      if (element.matches(':disabled') || element.closest('[inert]') !== null) continue;
      if (modal !== null && !modal.contains(element)) continue;
      if (element.closest('[aria-hidden="true" i]') !== null) continue;
      if (element.getClientRects().length === 0) continue;
      const rendered = element.checkVisibility?.({ visibilityProperty: true, contentVisibilityAuto: false });
      if (rendered === false) continue;
      if (
        rendered === undefined &&
        g.getComputedStyle(element, null).getPropertyValue('visibility') !== 'visible'
      ) {
        continue;
      }
      if (inOrder) tabbable.push(element);
      else widgets.push({ element, role: role.toLowerCase() });
    }
    // The browser's Tab order: positive tabindex first, ascending, then document order.
    const order = tabbable
      .map((element, index) => ({ element, index, tab: element.tabIndex > 0 ? element.tabIndex : Infinity }))
      .sort((a, b) => a.tab - b.tab || a.index - b.index)
      .map((entry) => entry.element);
    const all = [...order, ...widgets.map((widget) => widget.element)];
    state.listed = all;
    state.baseline = all.map(() => null);
    state.seen = [];
    state.seenBaseline = [];
    state.seenFocused = [];
    state.seenVisible = [];
    const scrolls: { box: WalkElement | null; top: number; left: number }[] = [
      { box: null, top: g.scrollY, left: g.scrollX },
    ];
    state.scrolls = scrolls;
    // The window's blur with no frame of the page focused: focus left for the browser. (Focus that
    // goes into a frame blurs the window too, but the page still has focus then.)
    const listening = new g.AbortController();
    state.leaves = 0;
    state.listening = listening;
    g.addEventListener(
      'blur',
      (event) => {
        if (event.target === g && !document.hasFocus()) state.leaves = (state.leaves ?? 0) + 1;
      },
      { capture: true, signal: listening.signal },
    );
    const groups = new Map<string, number>();
    for (let i = 0; i < all.length; i++) {
      const element = all[i]!;
      const widget = i >= order.length ? widgets[i - order.length] : undefined;
      let group = i;
      const radio = widget === undefined && element.matches('input[type="radio" i][name]');
      if (radio) {
        // Tab stops once per radio group (its checked button, else its first).
        const form = element.closest('form');
        const groupKey = `${form === null ? -1 : all.indexOf(form)}\u0000${element.getAttribute('name')}`;
        group = groups.get(groupKey) ?? i;
        if (!groups.has(groupKey)) groups.set(groupKey, i);
      }
      const type = (element.getAttribute('type') ?? '').toLowerCase();
      if (
        widget === undefined &&
        (frames.includes(element.localName) ||
          element.matches('audio, video') ||
          (element.localName === 'input' && multiStop.includes(type)))
      ) {
        composites++;
      }
      listed.push({
        selector: null,
        snippet: null,
        tabbable: widget === undefined,
        role: widget?.role ?? null,
        group,
      });
      if (i >= request.maxDetails) continue;
      named.push(element);
      if (widget === undefined) styled.push(element);
      // Focus scrolls an element's containers: note where they were, to put them back at the end.
      for (let box = element.parentElement; box !== null; box = box.parentElement) {
        if (box.scrollHeight <= box.clientHeight && box.scrollWidth <= box.clientWidth) continue;
        if (scrolls.some((scroll) => scroll.box === box)) continue;
        scrolls.push({ box, top: box.scrollTop, left: box.scrollLeft });
      }
    }
  } else if (phase === 'read') {
    const left = (state.leaves ?? 0) > 0 || !document.hasFocus();
    state.leaves = 0;
    let active = document.activeElement;
    // Focus inside an open shadow root shows as its host: follow it down to the element itself.
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (active === null || active === document.body || active === document.documentElement) {
      stop = {
        body: true,
        left,
        key: -1,
        listed: -1,
        selector: null,
        snippet: null,
        composite: false,
        frame: false,
      };
    } else {
      const seen = state.seen!;
      let key = seen.indexOf(active);
      const listedIndex = state.listed!.indexOf(active);
      if (key < 0) {
        key = seen.length;
        seen.push(active);
        state.seenBaseline!.push(listedIndex < 0 ? null : (state.baseline![listedIndex] ?? null));
        state.seenFocused!.push([]);
        state.seenVisible!.push(false);
        named.push(active);
      }
      const name = active.localName;
      const frame = frames.includes(name);
      const composite =
        frame ||
        name === 'audio' ||
        name === 'video' ||
        (name === 'input' && multiStop.includes((active.getAttribute('type') ?? '').toLowerCase())) ||
        (name.includes('-') && active.shadowRoot === null);
      stop = { body: false, left, key, listed: listedIndex, selector: null, snippet: null, composite, frame };
      if (!frame && state.seenVisible![key] !== true) styled.push(active);
    }
  } else {
    const seen = state.seen ?? [];
    for (let key = 0; key < seen.length; key++) {
      const element = seen[key]!;
      if (frames.includes(element.localName)) visible.push(null);
      else if (state.seenVisible![key] === true) visible.push(true);
      else if (state.seenBaseline![key] !== null) visible.push(false);
      else if (!element.isConnected) visible.push(null);
      else {
        visible.push(false);
        styled.push(element);
      }
    }
  }

  // Selectors: `#id` when the id is unique, else a path of `tag:nth-of-type(n)` from the nearest
  // ancestor with a unique id, or from the body. An element in a shadow root gets its host's.
  const names = named.map((element) => {
    let node: WalkElement = element;
    for (let host = node.getRootNode().host; host !== undefined; host = node.getRootNode().host) node = host;
    const parts: string[] = [];
    for (let at: WalkElement | null = node; at !== null; at = at.parentElement) {
      if (at === document.body || at === document.documentElement) break;
      if (at.id !== '') {
        const id = `#${g.CSS.escape(at.id)}`;
        if (document.querySelectorAll(id).length === 1) {
          parts.unshift(id);
          break;
        }
      }
      let nth = 1;
      for (
        let sibling = at.previousElementSibling;
        sibling !== null;
        sibling = sibling.previousElementSibling
      ) {
        if (sibling.localName === at.localName) nth++;
      }
      parts.unshift(`${g.CSS.escape(at.localName)}:nth-of-type(${nth})`);
    }
    if (!(parts[0] ?? '').startsWith('#')) parts.unshift('body');
    const attributes = Array.from(
      element.attributes,
      (a) => ` ${a.name}="${a.value.replace(/"/g, '&quot;')}"`,
    );
    const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80);
    const tag = `<${element.localName}${attributes.join('')}>`;
    const snippet = voids.includes(element.localName) ? tag : `${tag}${text}</${element.localName}>`;
    return {
      selector: parts.join(' > '),
      snippet: snippet.length > 200 ? `${snippet.slice(0, 199)}…` : snippet,
    };
  });

  // Styles: the element, its ::before and ::after, its parent and grandparent (`:focus-within`) and its next sibling
  // (`input:focus + label`), where a focus indicator may be drawn instead of on the element itself.
  // A transition running on them counts as a change: the style read at its start is the old one.
  for (let attempt = 0; attempt < 2 && styled.length > 0; attempt++) {
    if (attempt === 1) {
      // A script that styles focus a frame later (a class set in requestAnimationFrame) gets two.
      await new Promise<void>((resolve) => {
        g.setTimeout(resolve, 100);
        g.requestAnimationFrame(() => g.requestAnimationFrame(resolve));
      });
    }
    const looks = styled.map((element) => {
      const boxes: [WalkElement | null, string | null][] = [
        [element, null],
        [element, '::before'],
        [element, '::after'],
        [element.parentElement, null],
        [element.parentElement?.parentElement ?? null, null],
        [element.nextElementSibling, null],
      ];
      const signature = boxes
        .map(([box, pseudo]) => {
          if (box === null) return '';
          const style = g.getComputedStyle(box, pseudo);
          // An outline whose style is none draws nothing, whatever its offset (Chromium's ring
          // gives links `outline-offset: 1px` on focus), colour or width; so for a decoration line.
          const noOutline = style.getPropertyValue('outline-style') === 'none';
          const noLine = style.getPropertyValue('text-decoration-line') === 'none';
          return properties
            .map((property) =>
              (noOutline && property.startsWith('outline-')) ||
              (noLine && property.startsWith('text-decoration-'))
                ? ''
                : style.getPropertyValue(property),
            )
            .join('|');
        })
        .join('\n');
      const near = [element, element.parentElement, element.parentElement?.parentElement ?? null];
      const moving = [...near, element.nextElementSibling].some(
        (box) =>
          box !== null &&
          Array.from(box.getAnimations({ subtree: box === element })).some(
            (animation) =>
              animation.playState === 'running' &&
              animation.transitionProperty !== undefined &&
              properties.includes(animation.transitionProperty),
          ),
      );
      return { signature, moving };
    });
    if (phase === 'start') {
      // An element caught mid-transition (blurred just now) is judged at the end instead.
      looks.forEach((look, i) => (state.baseline![i] = look.moving ? null : look.signature));
      break;
    }
    if (phase === 'end') {
      looks.forEach((look, i) => {
        const key = state.seen!.indexOf(styled[i]!);
        visible[key] = look.moving || state.seenFocused![key]!.some((focused) => focused !== look.signature);
      });
      break;
    }
    const key = stop!.key;
    const look = looks[0]!;
    const baseline = state.seenBaseline![key] ?? null;
    if (look.moving || (baseline !== null && look.signature !== baseline)) {
      state.seenVisible![key] = true;
      break;
    }
    if (baseline === null) {
      if (!state.seenFocused![key]!.includes(look.signature)) state.seenFocused![key]!.push(look.signature);
      break;
    }
  }
  names.forEach((name, i) => {
    if (phase === 'start') listed[i] = { ...listed[i]!, ...name };
  });
  if (phase === 'read' && stop !== null && names[0] !== undefined) stop = { ...stop, ...names[0] };
  return { listed, composites, stop, visible };
}
