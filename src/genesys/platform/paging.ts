import { GenesysApiError } from './errors.js';

/** The paging fields of a Genesys `*EntityListing` (every SDK listing model has them). */
export interface EntityListing<T> {
  entities?: T[];
  pageNumber?: number;
  pageCount?: number;
  nextUri?: string;
}

export interface PageSource<T> {
  /** Fetches a page by number (1 = first), e.g. `(n) => api.routing.getRoutingQueues({ pageNumber: n })`. */
  byNumber: (pageNumber: number) => Promise<EntityListing<T>>;
  /** Fetches the page a `nextUri` names (a path below the org's API base). */
  byUri: (uri: string) => Promise<EntityListing<T>>;
}

export interface PaginateOptions {
  /** Stop with an error after this many pages (a server that never ends). Default 1000. */
  maxPages?: number;
  /** Named in errors, e.g. "routing queues". */
  description?: string;
}

/**
 * The path and query of a `nextUri`. Genesys sends it relative (`/api/v2/…?pageNumber=2`); an
 * absolute one is reduced to its path so the bearer token only ever goes to the configured org.
 */
export function nextPath(nextUri: string): string {
  const url = new URL(nextUri, 'http://relative.invalid');
  return `${url.pathname}${url.search}`;
}

/**
 * Every entity of a listing, page by page. A page's `nextUri` leads to the next one; a listing that
 * carries no `nextUri` but says `pageNumber < pageCount` continues by page number. It stops on an
 * empty page or when neither says there is more, and fails (`genesys.paging_loop`) when a server
 * hands out a `nextUri` it already gave, or after `maxPages` pages.
 */
export async function* paginate<T>(source: PageSource<T>, options: PaginateOptions = {}): AsyncGenerator<T> {
  const maxPages = options.maxPages ?? 1000;
  const what = options.description ?? 'listing';
  const seen = new Set<string>();
  let page = await source.byNumber(1);
  let pageNumber = page.pageNumber ?? 1;
  for (let pages = 1; ; pages += 1) {
    const entities = page.entities ?? [];
    yield* entities;
    if (entities.length === 0) return;
    let next: (() => Promise<EntityListing<T>>) | undefined;
    if (typeof page.nextUri === 'string' && page.nextUri !== '') {
      const path = nextPath(page.nextUri);
      if (seen.has(path)) {
        throw new GenesysApiError(
          'genesys.paging_loop',
          `Paging ${what} came back to ${path}, a page already read`,
        );
      }
      seen.add(path);
      next = () => source.byUri(path);
    } else if (
      page.nextUri === undefined &&
      typeof page.pageCount === 'number' &&
      pageNumber < page.pageCount
    ) {
      const wanted = pageNumber + 1;
      next = async () => {
        const listing = await source.byNumber(wanted);
        if (listing.pageNumber !== undefined && listing.pageNumber !== wanted) {
          throw new GenesysApiError(
            'genesys.paging_loop',
            `Paging ${what} asked for page ${wanted} and got page ${listing.pageNumber}`,
          );
        }
        return listing;
      };
    }
    if (!next) return;
    if (pages >= maxPages) {
      throw new GenesysApiError('genesys.paging_loop', `Paging ${what} went past ${maxPages} pages`, {
        hint: 'narrow the listing or raise maxPages',
      });
    }
    page = await next();
    pageNumber = page.pageNumber ?? pageNumber + 1;
  }
}
