import express, { type NextFunction, type Request, type Response } from 'express';
import { STATIC_DIR } from '../core/paths.ts';
import { loadViewer } from './auth/session.ts';
import { loopbackNamesOnly, sameOriginOnly } from './auth/same-origin.ts';
import { HttpError, NotFound, wantsJson } from './negotiate.ts';
import type { RouteContext } from './route-context.ts';
import { ROUTES } from './routes/index.ts';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  next();
}

export function createApp(ctx: RouteContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(loopbackNamesOnly(() => ctx.config.baseUrl));
  app.use('/static', express.static(STATIC_DIR, { maxAge: '1h', fallthrough: false }));
  app.use(express.json({ limit: '256kb' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(loadViewer(ctx.db));
  app.use(sameOriginOnly(() => ctx.config.baseUrl));

  const router = express.Router();
  for (const register of ROUTES) register(router, ctx);
  app.use(router);

  app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFound(req.path)));
  // Four arguments mark this as Express's error handler. No stack trace ever reaches a client.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof HttpError ? err : null;
    // Body-parser and static errors carry a client status (400 bad JSON, 413 too large, 404).
    const clientStatus = (err as { status?: number }).status;
    const status = known?.status ?? (clientStatus && clientStatus >= 400 && clientStatus < 500 ? clientStatus : 500);
    if (status >= 500) ctx.log.error({ err, url: req.originalUrl }, 'request failed');
    const message = known?.message ?? defaultMessage(status, req.path);
    if (res.headersSent) return res.end();
    res.status(status).vary('Accept');
    if (wantsJson(req)) {
      res.json({ error: message });
      return;
    }
    try {
      res.type('html').send(ctx.render('error', { title: status === 404 ? 'Not found' : 'Error', status, message }));
    } catch (renderError) {
      // Even a broken template must not hand the request to Express's default handler, which shows stacks.
      ctx.log.error({ err: renderError }, 'error page failed to render');
      res.type('text/plain').send(message);
    }
  });
  return app;
}

/** What an error page says when the error itself carried no message. */
function defaultMessage(status: number, path: string): string {
  if (status === 404) return `Not found: ${path}`;
  return status < 500 ? 'Bad request' : 'Internal server error';
}
