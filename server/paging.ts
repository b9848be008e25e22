import type { Request } from 'express';

/** Every list is paginated the same way: `?page=N` (1-based), as Hydra, and optionally `?rows=R`. */
export interface Paging {
  page: number;
  rows: number;
  offset: number;
}

export function paging(req: Request, defaultRows = 50, maxRows = 500): Paging {
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(String(req.query.page ?? '1'), 10) || 1));
  const rows = Math.max(
    1,
    Math.min(maxRows, Number.parseInt(String(req.query.rows ?? defaultRows), 10) || defaultRows),
  );
  return { page, rows, offset: (page - 1) * rows };
}

export interface PagerView {
  page: number;
  pages: number;
  total: number;
  prevUrl: string | null;
  nextUrl: string | null;
  firstUrl: string;
  lastUrl: string;
}

/** Links for a page of a list, keeping the request's other query parameters. */
export function pager(req: Request, p: Paging, total: number): PagerView {
  const pages = Math.max(1, Math.ceil(total / p.rows));
  const url = (n: number) => {
    const q = new URLSearchParams(
      Object.entries(req.query).filter(([k, v]) => k !== 'page' && typeof v === 'string') as [string, string][],
    );
    q.set('page', String(n));
    return `?${q.toString()}`;
  };
  return {
    page: p.page,
    pages,
    total,
    prevUrl: p.page > 1 ? url(p.page - 1) : null,
    nextUrl: p.page < pages ? url(p.page + 1) : null,
    firstUrl: url(1),
    lastUrl: url(pages),
  };
}
