import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The demo's web site: a few pages of a small docs site, with the usual faults for the crawl to find. */
const PAGES: Readonly<Record<string, { readonly title: string; readonly body: string }>> = {
  '/': {
    title: 'Shipyard',
    body: `<h1>Shipyard</h1>
      <a href="/docs">Docs</a> <a href="/docs?utm_source=newsletter">Docs (from the newsletter)</a>
      <a href="/blog">Blog</a> <a href="/pricing">Pricing</a> <a href="/logout">Log out</a>
      <a href="mailto:team@shipyard.invalid">Mail us</a> <a href="https://example.invalid/">Elsewhere</a>`,
  },
  '/docs': {
    title: 'Docs',
    body: `<h1>Docs</h1><a href="/docs/install">Install</a> <a href="/docs/usage#top">Usage</a>
      <a href="/docs/api">API</a> <a href="/">Home</a>`,
  },
  '/docs/install': { title: 'Install', body: '<h1>Install</h1><a href="/docs/usage">Next: usage</a>' },
  '/docs/usage': { title: 'Usage', body: '<h1>Usage</h1><a href="/docs/api">Next: API</a>' },
  '/docs/api': { title: 'API', body: '<h1>API</h1><a href="/docs/api/v1">Version 1 (moved)</a>' },
  '/blog': {
    title: 'Blog',
    body: `<h1>Blog</h1><a href="/blog/hello">Hello</a> <a href="/blog/launch">Launch</a>
      <a href="/blog/draft">A draft</a>`,
  },
  '/blog/hello': { title: 'Hello', body: '<h1>Hello</h1><a href="/blog">All posts</a>' },
  '/blog/launch': { title: 'Launch', body: '<h1>Launch</h1><a href="/pricing">See pricing</a>' },
  '/pricing': { title: 'Pricing', body: '<h1>Pricing</h1><a href="/">Home</a>' },
};

/** The demo site, listening on 127.0.0.1. */
export interface DemoSite {
  readonly url: string;
  /** Pages the site has (what a full crawl tests, the faulty ones aside). */
  readonly pages: number;
  close(): Promise<void>;
}

/**
 * Serves the demo's site on a free loopback port: nine pages, a link that is a 404 (`/blog/draft`),
 * one that is a 500 (`/docs/api/v1`), a duplicate with a tracking parameter, a fragment, a logout link,
 * a mailto link and an external one — each of which the crawl tests once or lists as not tested.
 */
export async function startDemoSite(): Promise<DemoSite> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const page = PAGES[path];
    const html = (status: number, title: string, body: string): void => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><html lang="en"><title>${title}</title><meta name="description" content="${title}: a page of the demo site."><body>${body}</body></html>`,
      );
    };
    if (page !== undefined) html(200, page.title, page.body);
    else if (path === '/docs/api/v1') html(500, 'Server error', '<h1>Something broke</h1>');
    else if (path === '/robots.txt')
      response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\n');
    else html(404, 'Not found', '<h1>Not found</h1><a href="/">Home</a>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    pages: Object.keys(PAGES).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
