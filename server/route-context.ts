import type { Db } from '../core/db/database.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Render } from './render.ts';

/** What every route module receives: read access to the database and the renderer. */
export interface RouteContext {
  db: Db;
  render: Render;
  config: Config;
  log: Logger;
}
