import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH } from './canonical.js';
import { DESTRUCTIVE_ACTIONS, DESTRUCTIVE_PHRASES } from './destructive.js';
import { classifyLink, NON_HTML_EXTENSIONS, type LinkContext, type LinkDecision } from './link.js';
import { createScope } from './scope.js';

const scope = createScope(['https://app.example.com/'], ['*.cdn.example.com', 'http://localhost:4000']);
const pageUrl = 'https://app.example.com/dir/page';

function classify(href: string, extra: Partial<LinkContext> = {}): LinkDecision {
  return classifyLink(href, { pageUrl, scope, ...extra });
}

function reason(href: string, extra: Partial<LinkContext> = {}): string {
  const decision = classify(href, extra);
  return decision.kind === 'follow' ? 'follow' : decision.reason;
}

describe('classifyLink: schemes', () => {
  it.each([
    'mailto:support@example.com',
    'MAILTO:support@example.com',
    'tel:+1-555-0100',
    'sms:+15550100',
    'javascript:void(0)',
    'javascript:alert(document.cookie)',
    ' JaVaScRiPt:alert(1)',
    '\tjavascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'java\r\nscript:alert(1)',
    '\u0000javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'DATA:image/png;base64,iVBORw0KGgo=',
    'blob:https://app.example.com/1f0c7e4a-8d5b-4b5e-9c1a-3f8e2d7c6b5a',
    'ftp://ftp.example.com/pub/file.txt',
    'file:///etc/passwd',
    'ws://app.example.com/socket',
    'chrome://settings',
    'about:blank',
    'intent://scan/#Intent;scheme=zxing;end',
  ])('%j is non-http-scheme, without a URL', (href) => {
    expect(classify(href)).toEqual({ kind: 'skip', reason: 'non-http-scheme' });
  });

  it.each(['http://[::1', 'https://exa mple.com/', 'http://example.com:99999/', 'https://'])(
    '%j is invalid-url',
    (href) => {
      expect(classify(href)).toEqual({ kind: 'skip', reason: 'invalid-url' });
    },
  );

  it('a relative link on a page whose URL does not parse is invalid-url; an absolute one is judged', () => {
    expect(classifyLink('/a', { pageUrl: 'nonsense', scope })).toEqual({
      kind: 'skip',
      reason: 'invalid-url',
    });
    expect(classifyLink('https://app.example.com/a', { pageUrl: 'nonsense', scope }).kind).toBe('follow');
  });

  it('a URL longer than the limit is too-long; a huge href costs nothing', () => {
    expect(classify(`/${'a'.repeat(MAX_URL_LENGTH)}`)).toEqual({ kind: 'skip', reason: 'too-long' });
    expect(classify(`/?q=${'%'.repeat(20_000_000)}`)).toEqual({ kind: 'skip', reason: 'too-long' });
  });
});

describe('classifyLink: follow, with the canonical URL', () => {
  it.each([
    ['other', 'https://app.example.com/dir/other'],
    ['../up?b=2&a=1#x', 'https://app.example.com/up?a=1&b=2'],
    ['/search?q=shoes&utm_source=newsletter', 'https://app.example.com/search?q=shoes'],
    ['', 'https://app.example.com/dir/page'],
    ['#section', 'https://app.example.com/dir/page'],
    ['?page=2', 'https://app.example.com/dir/page?page=2'],
    ['HTTPS://APP.EXAMPLE.COM:443/Case', 'https://app.example.com/Case'],
    ['https://assets.cdn.example.com/gallery', 'https://assets.cdn.example.com/gallery'],
    ['http://localhost:4000/api-docs', 'http://localhost:4000/api-docs'],
    ['/a/%2e%2e/b', 'https://app.example.com/b'],
    ['/users/john.doe', 'https://app.example.com/users/john.doe'],
    ['/index.html', 'https://app.example.com/index.html'],
    ['/page.php?id=3', 'https://app.example.com/page.php?id=3'],
    ['/v1.2/docs', 'https://app.example.com/v1.2/docs'],
    ['/.well-known/security', 'https://app.example.com/.well-known/security'],
  ])('%j → %s', (href, url) => {
    expect(classify(href)).toEqual({ kind: 'follow', url });
  });

  it('passes the crawl’s parameter options on', () => {
    expect(classify('/p?sid=1&q=2', { params: { ignoreParams: ['sid'] } })).toEqual({
      kind: 'follow',
      url: 'https://app.example.com/p?q=2',
    });
  });
});

describe('classifyLink: out-of-scope', () => {
  it.each([
    ['https://evil.example/', 'https://evil.example/'],
    ['//evil.example/path', 'https://evil.example/path'],
    ['\\\\evil.example\\path', 'https://evil.example/path'],
    ['/\\evil.example/', 'https://evil.example/'],
    ['https://app.example.com@evil.example/', 'https://evil.example/'],
    ['https://app.example.com.evil.example/', 'https://app.example.com.evil.example/'],
    ['http://app.example.com/', 'http://app.example.com/'],
    ['https://app.example.com:8443/', 'https://app.example.com:8443/'],
    ['https://cdn.example.com/', 'https://cdn.example.com/'],
    ['http://localhost:4001/', 'http://localhost:4001/'],
    ['http://[::1]/', 'http://[::1]/'],
    ['https://xn--pple-43d.com/', 'https://xn--pple-43d.com/'],
    ['https://аpple.com/', 'https://xn--pple-43d.com/'],
  ])('%j, as %s', (href, url) => {
    expect(classify(href)).toEqual({ kind: 'skip', url, reason: 'out-of-scope' });
  });
});

describe('classifyLink: non-html', () => {
  it.each([
    '/files/report.pdf',
    '/files/REPORT.PDF',
    '/img/logo.png?v=3',
    '/img/photo.JPEG#x',
    '/media/intro.mp4',
    '/fonts/inter.woff2',
    '/downloads/app-1.2.3.tar.gz',
    '/downloads/setup.exe',
    '/data/export.csv',
    '/docs/slides.pptx',
    '/assets/app.js',
    '/assets/app.css',
    '/feed.xml',
    '/files/%E6%96%87%E4%BB%B6.pdf',
    '/files/report%2Epdf',
  ])('%j', (href) => {
    expect(reason(href)).toBe('non-html');
  });

  it('a download link is a file whatever its extension', () => {
    expect(reason('/export', { download: true })).toBe('non-html');
    expect(reason('/export', { download: false })).toBe('follow');
  });

  it('every extension on the list is lower case, unique, and skips', () => {
    expect(new Set(NON_HTML_EXTENSIONS).size).toBe(NON_HTML_EXTENSIONS.length);
    for (const extension of NON_HTML_EXTENSIONS) {
      expect(extension).toBe(extension.toLowerCase());
      expect(reason(`/file.${extension}`)).toBe('non-html');
    }
  });
});

describe('classifyLink: destructive', () => {
  it.each([
    // by a whole path segment, however it is written
    '/logout',
    '/LOGOUT',
    '/log-out',
    '/log_out',
    '/logOut',
    '/account/LogOut.aspx',
    '/logout.php',
    '/logout/',
    '/auth/logout?redirect=/',
    '/users/sign_out',
    '/signout',
    '/sign-out',
    '/user/logoff',
    '/session/log%20out',
    '/settings/delete-account',
    '/settings/deleteAccount',
    '/account/remove_account',
    '/account/close-my-account',
    '/account/deactivate',
    '/newsletter/unsubscribe/tok123',
    '/billing/cancel-subscription',
    '/posts/5/delete',
    '/posts/5/destroy',
    '/cart/remove/3',
    // by a whole query name or value
    '/wp-login.php?action=logout&_wpnonce=abc',
    '/index.php?logout',
    '/index.php?logout=1',
    '/admin.php?do=delete&id=4',
    '/?action=sign+out',
  ])('%j', (href) => {
    expect(reason(href)).toBe('destructive');
  });

  it.each([
    // part of a segment, a path in a value, another word
    '/blog/how-to-logout-safely',
    '/blog/why-we-never-delete-accounts',
    '/docs/logout-flow-design',
    '/logouts',
    '/catalog',
    '/login?next=/logout',
    '/login?return_to=%2Flogout',
    '/deleted-items',
    '/removed',
    '/account',
    '/signup',
    '/login',
    '/sign-in',
    '/subscribe',
    // a tracking parameter says nothing of the link
    '/page?utm_content=logout',
  ])('%j is followed', (href) => {
    expect(reason(href)).toBe('follow');
  });

  it.each([
    'Log out',
    'Logout',
    'LOG OUT',
    '  Sign out  ',
    'Sign out of all devices',
    'Sign Out →',
    '⎋ Log off',
    'Logout (jane@example.com)',
    'Unsubscribe from these emails',
    'Delete my account',
    'Delete account',
    'Close account',
    'Deactivate',
    'Delete',
    'remove',
    'Cancel subscription',
    'SignOut',
  ])('by its visible text %j', (text) => {
    expect(reason('/x', { text })).toBe('destructive');
  });

  it.each([
    'How to log out safely',
    'Why we never delete accounts',
    'Logouts explained',
    'Delete old drafts: a guide',
    'Remove the background from a photo',
    'Sign in',
    'Sign up',
    'Account',
    '',
    'Blog',
  ])('a text that only mentions it, %j, is followed', (text) => {
    expect(reason('/x', { text })).toBe('follow');
  });

  it('a link whose page would send another method than GET, or asks for confirmation', () => {
    for (const method of ['delete', 'DELETE', 'post', 'put', 'patch', ' Delete ']) {
      expect(reason('/posts/5', { method })).toBe('destructive');
    }
    for (const method of ['get', 'GET', 'head', '']) expect(reason('/posts/5', { method })).toBe('follow');
    expect(reason('/posts/5', { confirm: true })).toBe('destructive');
    expect(reason('/posts/5', { confirm: false })).toBe('follow');
  });

  it('every listed phrase and action is destructive as a segment and as a text', () => {
    for (const phrase of [...DESTRUCTIVE_PHRASES, ...DESTRUCTIVE_ACTIONS]) {
      expect(reason(`/a/${phrase.replaceAll(' ', '-')}`)).toBe('destructive');
      expect(reason('/x', { text: phrase })).toBe('destructive');
    }
  });

  it('is checked after scope: an out-of-scope logout is out-of-scope', () => {
    expect(reason('https://evil.example/logout')).toBe('out-of-scope');
  });

  it('a huge visible text or segment costs little', () => {
    expect(reason('/x', { text: 'word '.repeat(200_000) })).toBe('follow');
    expect(reason(`/${'a-'.repeat(3_000)}`)).toBe('follow');
  });
});
