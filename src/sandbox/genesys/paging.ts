import type { Request } from 'express';
import { queryInteger } from './query.js';

export interface EntityListing<T> {
  entities: T[];
  pageSize: number;
  pageNumber: number;
  total: number;
  pageCount: number;
  firstUri: string;
  selfUri: string;
  lastUri: string;
  nextUri?: string;
  previousUri?: string;
}

export const MAX_PAGE_SIZE = 500;

/**
 * One page of a list, in the Platform API's listing shape. The page links keep the caller's other
 * query parameters, so following `nextUri` repeats the same filter.
 */
export function pageOf<T>(req: Request, path: string, items: T[]): EntityListing<T> {
  const pageSize = queryInteger(req, 'pageSize', 25, 1, MAX_PAGE_SIZE);
  const pageNumber = queryInteger(req, 'pageNumber', 1, 1, 1_000_000);
  const total = items.length;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const start = (pageNumber - 1) * pageSize;
  const uri = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
      if (k === 'pageSize' || k === 'pageNumber') continue;
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') params.append(k, x);
    }
    params.set('pageSize', String(pageSize));
    params.set('pageNumber', String(n));
    return `${path}?${params.toString()}`;
  };
  return {
    entities: items.slice(start, start + pageSize),
    pageSize,
    pageNumber,
    total,
    pageCount,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    lastUri: uri(pageCount),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(Math.min(pageNumber - 1, pageCount)) } : {}),
  };
}
