import type { Request, Response } from 'express';
import type { Render } from './render.ts';

/** Hydra's rule: the same URL answers JSON when the client asks for it in Accept. */
export function wantsJson(req: Request): boolean {
  return req.accepts(['text/html', 'application/json']) === 'application/json';
}

/** Sends a page as HTML or JSON, whichever the request asked for, and says that it varies. */
export function sendPage(req: Request, res: Response, render: Render, page: { template: string; view: object; json: () => unknown }): void {
  res.vary('Accept');
  if (wantsJson(req)) {
    res.json(page.json());
  } else {
    res.type('html').send(render(page.template, page.view));
  }
}

export class NotFound extends Error {
  constructor(what: string) {
    super(what);
  }
}

export function intParam(value: unknown, what: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value) || !Number.isSafeInteger(n)) throw new NotFound(`${what} ${String(value)}`);
  return n;
}
