import { describe, expect, it } from 'vitest';
import { nextPath, paginate, type EntityListing } from '../../../src/genesys/platform/index.js';
import { type SeenRequest } from './helpers/scripted-server.js';
import { useFakeOrgClient } from './helpers/fake-org-client.js';

const setup = useFakeOrgClient();

const queues = (...ids: string[]) => ids.map((id) => ({ id, name: `Queue ${id}` }));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const describeRequest = (r: SeenRequest) => `${r.path}?${r.query.toString()}`;

describe('paginate through the client', () => {
  it('follows nextUri until a page has none', async () => {
    const pages: Record<string, object> = {
      '1': {
        entities: queues('a', 'b'),
        pageNumber: 1,
        pageCount: 3,
        nextUri: '/api/v2/routing/queues?pageSize=2&pageNumber=2',
      },
      '2': {
        entities: queues('c', 'd'),
        pageNumber: 2,
        pageCount: 3,
        nextUri: '/api/v2/routing/queues?pageSize=2&pageNumber=3',
      },
      '3': { entities: queues('e'), pageNumber: 3, pageCount: 3 },
    };
    const { org, client } = await setup((r) => ({ body: pages[r.query.get('pageNumber') ?? '1'] }));

    const all = await collect(
      client.paginate((pageNumber) => client.api.routing.getRoutingQueues({ pageSize: 2, pageNumber })),
    );

    expect(all.map((q) => q.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(org.apiRequests.map(describeRequest)).toEqual([
      '/api/v2/routing/queues?pageNumber=1&pageSize=2',
      '/api/v2/routing/queues?pageSize=2&pageNumber=2',
      '/api/v2/routing/queues?pageSize=2&pageNumber=3',
    ]);
    expect(org.apiRequests.every((r) => r.headers.authorization === 'Bearer token-1')).toBe(true);
    expect(client.stats()).toMatchObject({ calls: 3, reads: 3 });
  });

  it('stops on an empty page even when it names a nextUri', async () => {
    const { org, client } = await setup((r) =>
      r.query.get('pageNumber') === '1'
        ? { body: { entities: queues('a'), nextUri: '/api/v2/routing/queues?pageNumber=2' } }
        : { body: { entities: [], nextUri: '/api/v2/routing/queues?pageNumber=3' } },
    );
    const all = await collect(
      client.paginate((pageNumber) => client.api.routing.getRoutingQueues({ pageNumber })),
    );
    expect(all.map((q) => q.id)).toEqual(['a']);
    expect(org.apiRequests).toHaveLength(2);
  });

  it('fails with genesys.paging_loop when a server repeats a nextUri', async () => {
    const { org, client } = await setup((r) => ({
      body: {
        entities: queues(`p${r.query.get('pageNumber')}`),
        nextUri: '/api/v2/routing/queues?pageNumber=2',
      },
    }));
    const seen: string[] = [];
    const run = async () => {
      for await (const q of client.paginate((pageNumber) =>
        client.api.routing.getRoutingQueues({ pageNumber }),
      )) {
        seen.push(q.id!);
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'genesys.paging_loop' });
    expect(seen).toEqual(['p1', 'p2']);
    expect(org.apiRequests).toHaveLength(2);
  });

  it('continues by page number when a listing has pageCount but no nextUri', async () => {
    const { org, client } = await setup((r) => {
      const n = Number(r.query.get('pageNumber'));
      return { body: { entities: queues(`p${n}`), pageNumber: n, pageCount: 3 } };
    });
    const all = await collect(
      client.paginate((pageNumber) => client.api.routing.getRoutingQueues({ pageNumber })),
    );
    expect(all.map((q) => q.id)).toEqual(['p1', 'p2', 'p3']);
    expect(org.apiRequests.map((r) => r.query.get('pageNumber'))).toEqual(['1', '2', '3']);
  });

  it('sends an absolute nextUri to the configured org only', async () => {
    const { org, client } = await setup((r) =>
      r.query.get('pageNumber') === '2'
        ? { body: { entities: queues('b') } }
        : {
            body: {
              entities: queues('a'),
              nextUri: 'https://elsewhere.example/api/v2/routing/queues?pageNumber=2',
            },
          },
    );
    const all = await collect(
      client.paginate((pageNumber) => client.api.routing.getRoutingQueues({ pageNumber })),
    );
    expect(all.map((q) => q.id)).toEqual(['a', 'b']);
    expect(org.apiRequests.map(describeRequest)).toEqual([
      '/api/v2/routing/queues?pageNumber=1',
      '/api/v2/routing/queues?pageNumber=2',
    ]);
  });

  it('retries a page like any other GET', async () => {
    let failedOnce = false;
    const { org, client } = await setup((r) => {
      if (r.query.get('pageNumber') === '2' && !failedOnce) {
        failedOnce = true;
        return { status: 503, body: { status: 503, code: 'x', message: 'y' } };
      }
      return r.query.get('pageNumber') === '2'
        ? { body: { entities: queues('b') } }
        : { body: { entities: queues('a'), nextUri: '/api/v2/routing/queues?pageNumber=2' } };
    });
    const all = await collect(
      client.paginate((pageNumber) => client.api.routing.getRoutingQueues({ pageNumber })),
    );
    expect(all.map((q) => q.id)).toEqual(['a', 'b']);
    expect(org.apiRequests).toHaveLength(3);
  });
});

describe('paginate (the helper alone)', () => {
  const source = (pages: EntityListing<number>[]) => {
    const asked: string[] = [];
    return {
      asked,
      byNumber: async (n: number) => {
        asked.push(`#${n}`);
        return pages[n - 1] ?? { entities: [] };
      },
      byUri: async (uri: string) => {
        asked.push(uri);
        return pages[Number(new URL(uri, 'http://x').searchParams.get('page')) - 1] ?? { entities: [] };
      },
    };
  };

  it('stops after maxPages with genesys.paging_loop', async () => {
    const endless = source(
      Array.from({ length: 10 }, (_, i) => ({ entities: [i], nextUri: `/api/v2/x?page=${i + 2}` })),
    );
    await expect(collect(paginate(endless, { maxPages: 3, description: 'things' }))).rejects.toMatchObject({
      code: 'genesys.paging_loop',
      message: 'Paging things went past 3 pages',
    });
    expect(endless.asked).toEqual(['#1', '/api/v2/x?page=2', '/api/v2/x?page=3']);
  });

  it('stops when a page carries neither nextUri nor more pages', async () => {
    const s = source([{ entities: [1, 2], pageNumber: 1, pageCount: 1 }]);
    expect(await collect(paginate(s))).toEqual([1, 2]);
    expect(s.asked).toEqual(['#1']);
  });

  it('fails when a server ignores the page number it was asked for', async () => {
    const s = source([
      { entities: [1], pageNumber: 1, pageCount: 3 },
      { entities: [2], pageNumber: 1, pageCount: 3 },
    ]);
    await expect(collect(paginate(s))).rejects.toMatchObject({ code: 'genesys.paging_loop' });
  });

  it('reduces a nextUri to its path and query', () => {
    expect(nextPath('/api/v2/a?b=1')).toBe('/api/v2/a?b=1');
    expect(nextPath('https://api.mypurecloud.ie/api/v2/a?pageNumber=2')).toBe('/api/v2/a?pageNumber=2');
  });
});
