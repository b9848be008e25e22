import type { Config } from '../core/config.ts';
import type { Db } from '../core/db/database.ts';
import type { Logger } from '../core/log.ts';

/** What every step of the notifier works with. */
export interface NotifierContext {
  db: Db;
  log: Logger;
  config: Config;
  /** Signs unsubscribe links (shared with the server through the database). */
  secret: string;
  /** X-Hydra-Instance and the Message-ID domain: the host of --base-url. */
  instance: string;
  /** Random per installation, so two hydrants never make the same Message-ID. */
  installationId: string;
}
