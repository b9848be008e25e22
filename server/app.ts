import express, { type NextFunction, type Request, type Response } from 'express';
import { STATIC_DIR } from '../core/paths.ts';
import { NotFound, wantsJson } from './negotiate.ts';
import type { RouteContext } from './route-context.ts';
import { buildLogRoutes } from './routes/build-log.ts';
import { buildRoutes } from './routes/build.ts';
import { evalRoutes } from './routes/eval.ts';
import { homeRoutes } from './routes/home.ts';
import { jobRoutes } from './routes/job.ts';
import { jobsetRoutes } from './routes/jobset.ts';
import { projectRoutes } from './routes/project.ts';

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  });
  next();
}

export function createApp(ctx: RouteContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use('/static', express.static(STATIC_DIR, { maxAge: '1h', fallthrough: false }));

  const router = express.Router();
  for (const register of [homeRoutes, projectRoutes, jobsetRoutes, evalRoutes, buildRoutes, buildLogRoutes, jobRoutes]) {
    register(router, ctx);
  }
  app.use(router);

  app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFound(req.path)));
  // Four arguments mark this as Express's error handler. No stack trace ever reaches a client.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const notFound = err instanceof NotFound || (err as { status?: number }).status === 404;
    const status = notFound ? 404 : 500;
    if (!notFound) ctx.log.error({ err, url: req.originalUrl }, 'request failed');
    const message = notFound ? `Not found: ${(err as Error).message}` : 'Internal server error';
    res.status(status).vary('Accept');
    if (wantsJson(req)) res.json({ error: message });
    else res.type('html').send(ctx.render('error', { title: notFound ? 'Not found' : 'Error', status, message }));
  });
  return app;
}
