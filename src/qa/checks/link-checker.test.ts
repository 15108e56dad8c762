import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import type { PageLink, PageVisit } from '../browser/index.js';
import { CRAWLER_USER_AGENT, HostPacer } from '../politeness.js';
import { createScope } from '../urls/index.js';
import {
  LinkChecker,
  MAX_LINK_REQUESTS,
  type LinkCheckerOptions,
  type LinkStatusCache,
} from './link-checker.js';
import { MAX_REDIRECTS } from './link-request.js';

/** A request a test server saw. */
interface Seen {
  readonly line: string;
  readonly at: number;
  readonly agent: string | undefined;
  readonly cookie: string | undefined;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface Server {
  readonly origin: string;
  readonly seen: Seen[];
  /** `METHOD /path` of each request, in order. */
  lines(): string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server on 127.0.0.1 answering by path; any other path is a 404. */
async function serve(routes: Record<string, Handler>): Promise<Server> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    seen.push({
      line: `${request.method} ${path}`,
      at: performance.now(),
      agent: request.headers['user-agent'],
      cookie: request.headers.cookie,
    });
    const route = routes[path];
    if (route === undefined) response.writeHead(404, { 'content-type': 'text/html' }).end('Not found');
    else route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started: Server = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    lines: () => seen.map((one) => one.line),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  servers.push(started);
  return started;
}

/** An origin on 127.0.0.1 with nothing listening: a port just freed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const status =
  (code: number, headers: Record<string, string> = {}): Handler =>
  (_request, response) =>
    void response.writeHead(code, { 'content-type': 'text/html', ...headers }).end('<p>a page</p>');
const redirect = (location: string): Handler => status(302, { location });

/** A visit of `url` that found `links` (`[href, text]`, resolved against `url`, as written kept). */
function visitOf(url: string, links: readonly (readonly [string, string?, string?])[]): PageVisit {
  const found: PageLink[] = links.map(([attribute, text = 'a link', dataMethod]) => ({
    href: new URL(attribute, url).href,
    text,
    rel: '',
    attribute,
    ...(dataMethod === undefined ? {} : { dataMethod }),
  }));
  return {
    requestedUrl: url,
    finalUrl: url,
    status: 200,
    redirects: [],
    contentType: 'text/html',
    title: 'A page',
    loadMs: 1,
    canonical: null,
    links: found,
  };
}

function checker(site: Server, extra: Partial<LinkCheckerOptions> = {}): LinkChecker {
  return new LinkChecker({
    pacer: new HostPacer(0),
    scope: createScope([`${site.origin}/`]),
    externalLinks: true,
    ...extra,
  });
}

const brief = (found: readonly { rule: string; severity: string; subject?: string }[], origin: string) =>
  found.map(({ rule, severity, subject }) => [rule, severity, subject?.replace(origin, '')]);

describe('LinkChecker', () => {
  it('reports 4xx, 5xx and loops in scope as high; HEAD refused then GET 200 and a redirect chain are fine', async () => {
    const site = await serve({
      '/page': status(200),
      '/error': status(500),
      '/head-refused': (request, response) =>
        void response
          .writeHead(request.method === 'HEAD' ? 405 : 200, { 'content-type': 'text/html' })
          .end('ok'),
      '/r1': redirect('/r2'),
      '/r2': redirect('r3'),
      '/r3': redirect('/ok'),
      '/ok': status(200),
      '/loop-a': redirect('/loop-b'),
      '/loop-b': redirect('/loop-a'),
    });
    const page = `${site.origin}/page`;
    const found = await checker(site).check(
      page,
      visitOf(page, [['/missing', 'The "price" list'], ['/error'], ['/head-refused'], ['/r1'], ['/loop-a']]),
      NEVER_ABORTED,
    );
    expect(brief(found, site.origin)).toEqual([
      ['broken-internal', 'high', '/missing'],
      ['broken-internal', 'high', '/error'],
      ['redirect-loop', 'high', '/loop-a'],
    ]);
    expect(found[0]).toMatchObject({
      title: 'Broken link (404)',
      message: `The link "The "price" list" (${site.origin}/missing) answers 404 (Not Found).`,
      selector: 'a[href="/missing"]',
      snippet: '<a href="/missing">The "price" list</a>',
    });
    expect(found[2]!.message).toBe(
      `The link "a link" (${site.origin}/loop-a) redirects in a loop: ${site.origin}/loop-a → ${site.origin}/loop-b → ${site.origin}/loop-a.`,
    );
    // HEAD first; GET only where HEAD was refused; every hop of a chain asked once.
    expect(site.lines().sort()).toEqual(
      [
        'HEAD /missing',
        'HEAD /error',
        'HEAD /head-refused',
        'GET /head-refused',
        'HEAD /r1',
        'HEAD /r2',
        'HEAD /r3',
        'HEAD /ok',
        'HEAD /loop-a',
        'HEAD /loop-b',
      ].sort(),
    );
    // The crawler's one identity, and nothing of a session.
    expect(site.seen.every(({ agent, cookie }) => agent === CRAWLER_USER_AGENT && cookie === undefined)).toBe(
      true,
    );
  });

  it('gives up after MAX_REDIRECTS redirects that never loop: redirect-loop', async () => {
    const site = await serve({
      '/hop': (request, response) => {
        const n = Number(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('n') ?? 0);
        redirect(`/hop?n=${n + 1}`)(request, response);
      },
    });
    const page = `${site.origin}/page`;
    const found = await checker(site).check(page, visitOf(page, [['/hop']]), NEVER_ABORTED);
    expect(found).toMatchObject([
      {
        rule: 'redirect-loop',
        message: `The link "a link" (${site.origin}/hop) redirects more than ${MAX_REDIRECTS} times (${site.origin}/hop → … → ${site.origin}/hop?n=${MAX_REDIRECTS + 1}).`,
      },
    ]);
    // The target and its ten redirects asked for; the eleventh redirect's URL not.
    expect(site.seen).toHaveLength(MAX_REDIRECTS + 1);
  });

  it('checks another origin only with externalLinks: broken-external (medium), a refused port with its error', async () => {
    const site = await serve({ '/page': status(200) });
    const other = await serve({ '/fine': status(200) });
    const page = `${site.origin}/page`;
    const visit = visitOf(page, [
      [`${other.origin}/gone`],
      [`${other.origin}/fine`],
      [`${await closedPort()}/down`],
    ]);
    const found = await checker(site).check(page, visit, NEVER_ABORTED);
    expect(brief(found, other.origin)).toEqual([
      ['broken-external', 'medium', '/gone'],
      ['broken-external', 'medium', expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/down$/)],
    ]);
    expect(found[1]).toMatchObject({
      title: 'Broken link: no answer',
      message: expect.stringMatching(/could not be reached: ECONNREFUSED/) as string,
    });
    expect(other.lines()).toEqual(['HEAD /gone', 'HEAD /fine']);

    other.seen.length = 0;
    const without = await checker(site, { externalLinks: false }).check(page, visit, NEVER_ABORTED);
    expect(without).toEqual([]);
    expect(other.seen).toEqual([]);
  });

  it('asks for a target once per crawl, however many pages link to it, fragments and all', async () => {
    const site = await serve({ '/shared': status(200), '/gone': status(410) });
    const links = checker(site);
    const [a, b] = [`${site.origin}/a`, `${site.origin}/b`];
    const [onA, onB] = await Promise.all([
      links.check(a, visitOf(a, [['/shared'], ['/gone'], ['/shared#part']]), NEVER_ABORTED),
      links.check(b, visitOf(b, [['/shared#other'], ['/gone']]), NEVER_ABORTED),
    ]);
    const later = await links.check(b, visitOf(b, [['/gone#x']]), NEVER_ABORTED);
    expect(site.lines().sort()).toEqual(['HEAD /gone', 'HEAD /shared']);
    // Each page that links to the broken target has its finding.
    for (const found of [onA, onB, later])
      expect(brief(found, site.origin)).toEqual([['broken-internal', 'high', '/gone']]);
  });

  it('never requests a log-out or delete link, another scheme, or the page itself; nor a redirect to a log-out link', async () => {
    const site = await serve({ '/page': status(200), '/away': redirect('/logout') });
    const page = `${site.origin}/page`;
    const found = await checker(site).check(
      page,
      visitOf(page, [
        ['/logout', 'Log out'],
        ['/account', 'Sign out of all devices'],
        ['/posts/1/delete', 'Remove'],
        ['/posts/2', 'Drop it', 'delete'],
        ['mailto:a@b.c'],
        ['tel:+1555'],
        ['javascript:void(0)'],
        ['data:text/html,hi'],
        ['#section'],
        ['/page'],
        ['/away', 'Away'],
      ]),
      NEVER_ABORTED,
    );
    expect(found).toEqual([]);
    expect(site.lines()).toEqual(['HEAD /away']);
  });

  it('has at most MAX_LINK_REQUESTS requests in flight while the server holds its answers', async () => {
    const held: ServerResponse[] = [];
    let inFlight = 0;
    let peak = 0;
    const hold: Handler = (_request, response) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      held.push(response);
    };
    const routes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`/slow/${i}`, hold]));
    const site = await serve(routes);
    const page = `${site.origin}/page`;
    const checking = checker(site).check(
      page,
      visitOf(
        page,
        Object.keys(routes).map((path) => [path] as const),
      ),
      NEVER_ABORTED,
    );
    await vi.waitFor(() => expect(held).toHaveLength(MAX_LINK_REQUESTS));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held).toHaveLength(MAX_LINK_REQUESTS);
    let answered = 0;
    while (answered < 10) {
      await vi.waitFor(() => expect(held.length).toBeGreaterThan(0));
      const response = held.shift()!;
      inFlight--;
      response.writeHead(200).end();
      answered++;
    }
    expect(await checking).toEqual([]);
    expect(peak).toBe(MAX_LINK_REQUESTS);
    expect(site.seen).toHaveLength(10);
  });

  it("waits for each request's turn at its host in the crawl's pacer", async () => {
    class CountingPacer extends HostPacer {
      readonly hosts: string[] = [];
      override acquire(host: string, signal: AbortSignal): Promise<void> {
        this.hosts.push(host);
        return super.acquire(host, signal);
      }
    }
    const site = await serve({ '/1': status(200), '/2': status(200), '/3': status(200), '/4': status(200) });
    const pacer = new CountingPacer(10);
    const page = `${site.origin}/page`;
    await checker(site, { pacer }).check(
      page,
      visitOf(page, [['/1'], ['/2'], ['/3'], ['/4']]),
      NEVER_ABORTED,
    );
    expect(pacer.hosts).toEqual(Array(4).fill(new URL(site.origin).host));
    // 10 per second: turns 100 ms apart, whatever the four slots allow.
    const times = site.seen.map(({ at }) => at);
    expect(times[3]! - times[0]!).toBeGreaterThan(3 * 100 - 50);
  });

  it('retries a 429 or 503 once after Retry-After; a 429 again is rate-limited (info), not broken', async () => {
    let busy = 0;
    const site = await serve({
      '/busy': status(429, { 'retry-after': '0' }),
      '/busy-once': (request, response) =>
        busy++ === 0
          ? status(503, { 'retry-after': '0' })(request, response)
          : status(200)(request, response),
    });
    const page = `${site.origin}/page`;
    const found = await checker(site).check(page, visitOf(page, [['/busy'], ['/busy-once']]), NEVER_ABORTED);
    expect(brief(found, site.origin)).toEqual([['rate-limited', 'info', '/busy']]);
    expect(site.lines().sort()).toEqual(['HEAD /busy', 'HEAD /busy', 'HEAD /busy-once', 'HEAD /busy-once']);
  });

  it('does not call an in-scope 401 or 403 broken when the browser gets in as someone the checks are not', async () => {
    const site = await serve({ '/private': status(401), '/members': status(403) });
    const page = `${site.origin}/page`;
    const visit = visitOf(page, [['/private'], ['/members']]);
    expect(await checker(site, { withAccess: () => true }).check(page, visit, NEVER_ABORTED)).toEqual([]);
    const anonymous = await checker(site).check(page, visit, NEVER_ABORTED);
    expect(brief(anonymous, site.origin)).toEqual([
      ['broken-internal', 'high', '/private'],
      ['broken-internal', 'high', '/members'],
    ]);
  });

  it('gives up a request after its timeout, HEAD and then GET: a network failure', async () => {
    const site = await serve({ '/hangs': () => undefined });
    const page = `${site.origin}/page`;
    const found = await checker(site, { timeoutMs: 200 }).check(
      page,
      visitOf(page, [['/hangs']]),
      NEVER_ABORTED,
    );
    expect(found).toMatchObject([
      { rule: 'broken-internal', message: expect.stringMatching(/no answer within 0.2 s/) as string },
    ]);
    expect(site.lines()).toEqual(['HEAD /hangs', 'GET /hangs']);
  });

  it('in a shared cache, a crawl stopped mid-request leaves no entry: another crawl asks for itself', async () => {
    const held: ServerResponse[] = [];
    const site = await serve({ '/slow': (_request, response) => void held.push(response) });
    const cache: LinkStatusCache = new Map();
    const page = `${site.origin}/page`;
    const visit = visitOf(page, [['/slow']]);
    const stop = new AbortController();
    const first = checker(site, { cache }).check(page, visit, stop.signal);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const second = checker(site, { cache }).check(page, visit, NEVER_ABORTED);
    stop.abort(new Error('stopped'));
    await expect(first).rejects.toThrow('stopped');
    await vi.waitFor(() => expect(held).toHaveLength(2));
    held[1]!.writeHead(404).end();
    expect(brief(await second, site.origin)).toEqual([['broken-internal', 'high', '/slow']]);
    expect(cache.size).toBe(1);
  });
});
