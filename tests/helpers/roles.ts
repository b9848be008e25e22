import { join } from 'node:path';
import { readConfig, type Config } from '../../core/config.ts';
import { openDatabase, type Db } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { createLogger, type Logger } from '../../core/log.ts';

/** Config, migrated database and a quiet logger in a state dir, for driving roles in-process with runOnce(). */
export function inProcess(stateDir: string, flags: string[] = []): { config: Config; db: Db; log: Logger } {
  const { config } = readConfig(
    ['--state-dir', stateDir, '--port', '0', '--gc-roots-dir', join(stateDir, 'gcroots'), ...flags],
    {},
  );
  const db = openDatabase(join(stateDir, 'hydrant.sqlite'));
  migrate(db);
  const log = createLogger(process.env.HYDRANT_TEST_LOG ?? 'silent');
  return { config, db, log };
}
