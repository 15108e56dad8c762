import { describe, expect, it } from 'vitest';
import { flush } from '../../test/helpers/deferred.js';
import { Frontier, type FrontierEntry } from './frontier.js';

describe('Frontier', () => {
  it('dedupes by key and refuses items deeper than maxDepth', () => {
    const frontier = new Frontier<string>({
      maxItems: 10,
      maxDepth: 1,
      key: (url) => url.replace(/#.*$/, ''),
    });
    expect(frontier.add(['/a', '/b', '/a#top'], 0)).toBe(2);
    expect(frontier.add(['/a', '/c'], 1)).toBe(1);
    expect(frontier.add(['/d'], 2)).toBe(0);
    expect(frontier.stats).toMatchObject({ queued: 3, seen: 3 });
  });

  it('hands out shallowest items first, FIFO within a depth', async () => {
    const frontier = new Frontier<string>({ maxItems: 10, maxDepth: 3 });
    frontier.add(['d2-a'], 2);
    frontier.add(['d0-a', 'd0-b'], 0);
    frontier.add(['d1-a'], 1);
    const order: string[] = [];
    for (let entry = await frontier.claim(); entry; entry = await frontier.claim()) {
      order.push(entry.item);
      frontier.complete(entry);
    }
    expect(order).toEqual(['d0-a', 'd0-b', 'd1-a', 'd2-a']);
  });

  it('never hands out more than maxItems, counting at claim time', async () => {
    const frontier = new Frontier<number>({ maxItems: 3, maxDepth: 0 });
    frontier.add([1, 2, 3, 4, 5], 0);
    const claims = await Promise.all([1, 2, 3, 4, 5].map(() => frontier.claim()));
    expect(claims.filter(Boolean).map((e) => e!.item)).toEqual([1, 2, 3]);
    expect(claims.slice(3)).toEqual([undefined, undefined]);
    expect(frontier.stats.claimed).toBe(3);
    expect(frontier.unclaimed().map((e) => e.item)).toEqual([4, 5]);
  });

  it('makes a claim wait while work is in flight, and serves it when that work adds items', async () => {
    const frontier = new Frontier<string>({ maxItems: 10, maxDepth: 2 });
    frontier.add(['root'], 0);
    const root = (await frontier.claim())!;
    let waited: FrontierEntry<string> | undefined | 'pending' = 'pending';
    void frontier.claim().then((entry) => (waited = entry));
    await flush();
    expect(waited).toBe('pending');
    frontier.add(['child'], 1);
    await flush();
    expect(waited).toMatchObject({ item: 'child', depth: 1 });
    frontier.complete(root);
  });

  it('ends every waiting claim with undefined when the last in-flight item completes without adding (no deadlock)', async () => {
    const frontier = new Frontier<string>({ maxItems: 10, maxDepth: 2 });
    frontier.add(['only'], 0);
    const only = (await frontier.claim())!;
    const waiting = [frontier.claim(), frontier.claim(), frontier.claim()];
    await flush();
    frontier.complete(only);
    expect(await Promise.all(waiting)).toEqual([undefined, undefined, undefined]);
    expect(frontier.done).toBe(true);
  });

  it('crawls a graph with many workers: each page once, budget exact, all workers end', async () => {
    // Page i links to 2i+1 and 2i+2 (a binary tree of 200 pages); budget 60 over 4 workers.
    const links = (page: number) => [2 * page + 1, 2 * page + 2].filter((p) => p < 200);
    const frontier = new Frontier<number>({ maxItems: 60, maxDepth: 10 });
    frontier.add([0], 0);
    const visited: number[] = [];
    const worker = async () => {
      for (let entry = await frontier.claim(); entry; entry = await frontier.claim()) {
        visited.push(entry.item);
        await flush();
        frontier.add(links(entry.item), entry.depth + 1);
        frontier.complete(entry);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(visited).toHaveLength(60);
    expect(new Set(visited).size).toBe(60);
    expect(frontier.stats).toMatchObject({ claimed: 60, inFlight: 0 });
  });

  it('an aborted claim leaves the line; the item goes to the next claimer', async () => {
    const frontier = new Frontier<string>({ maxItems: 10, maxDepth: 1 });
    frontier.add(['a'], 0);
    const a = (await frontier.claim())!;
    const controller = new AbortController();
    const aborted = frontier.claim(controller.signal);
    const next = frontier.claim();
    controller.abort(new Error('worker stopped'));
    await expect(aborted).rejects.toThrow('worker stopped');
    frontier.add(['b'], 1);
    expect(await next).toMatchObject({ item: 'b' });
    frontier.complete(a);
    expect(frontier.stats.claimed).toBe(2);
  });

  it('validates its options', () => {
    expect(() => new Frontier({ maxItems: -1, maxDepth: 1 })).toThrow('`maxItems`');
    expect(() => new Frontier({ maxItems: 1, maxDepth: 0.5 })).toThrow('`maxDepth`');
  });
});
