import type { Request, Response } from 'express';
import type { Render } from './render.ts';
import { viewerOf } from './auth/session.ts';

/** Hydra's rule: the same URL answers JSON when the client asks for it in Accept. */
export function wantsJson(req: Request): boolean {
  return req.accepts(['text/html', 'application/json']) === 'application/json';
}

/**
 * Sends a page as HTML or JSON, whichever the request asked for, and says that it varies. Only the
 * one asked for is computed.
 */
export function sendPage(
  req: Request,
  res: Response,
  render: Render,
  page: { template: string; view: object | (() => object); json: () => unknown },
): void {
  res.vary('Accept');
  if (wantsJson(req)) {
    res.json(page.json());
  } else {
    res.type('html').send(
      render(page.template, {
        ...(typeof page.view === 'function' ? page.view() : page.view),
        viewer: viewerOf(res),
        path: req.originalUrl,
      }),
    );
  }
}

/** Errors a route throws to answer with a status; the message is safe to show to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class NotFound extends HttpError {
  constructor(what: string) {
    super(404, `Not found: ${what}`);
  }
}

export class Forbidden extends HttpError {
  constructor(why: string) {
    super(403, why);
  }
}

export class BadRequest extends HttpError {
  constructor(why: string) {
    super(400, why);
  }
}

export function intParam(value: unknown, what: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value) || !Number.isSafeInteger(n))
    throw new NotFound(`${what} ${String(value)}`);
  return n;
}
