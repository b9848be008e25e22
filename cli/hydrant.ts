#!/usr/bin/env node
import { ConfigError, readConfig, type Config } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { migrate } from '../core/db/migrate.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createEvaluator } from '../evaluator/index.ts';
import { createNotifier } from '../notifier/index.ts';
import { createQueueRunner } from '../queue-runner/index.ts';
import { createWebServer } from '../server/index.ts';
import { helpText } from './help.ts';
import { userAdd } from './user-add.ts';

interface Role {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

const ROLE_COMMANDS = ['start', 'server', 'evaluator', 'queue-runner', 'notifier'] as const;

function rolesFor(command: (typeof ROLE_COMMANDS)[number], config: Config, log: Logger): Role[] {
  const all = command === 'start';
  const roles: Role[] = [];
  if (all || command === 'evaluator') roles.push(createEvaluator(config, { log }));
  if (all || command === 'queue-runner') roles.push(createQueueRunner(config, { log }));
  if (all || command === 'notifier') roles.push(createNotifier(config, { log }));
  if (all || command === 'server') roles.push(createWebServer(config, { log }));
  return roles;
}

/** A thin shell: read the config, migrate, create the roles, start them, stop them on a signal. */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(helpText() + '\n');
    return 0;
  }
  if (argv[0] === 'user') {
    if (argv[1] !== 'add') {
      process.stderr.write('hydrant: usage: hydrant user add NAME --role ROLE (see hydrant --help)\n');
      return 2;
    }
    try {
      const { code, message } = await userAdd(argv.slice(2));
      (code === 0 ? process.stdout : process.stderr).write(`${code === 0 ? '' : 'hydrant: '}${message}\n`);
      return code;
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`hydrant: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  let parsed;
  try {
    parsed = readConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hydrant: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { config, positional } = parsed;
  const command = positional[0] ?? 'start';
  const log = createLogger(config.logLevel);

  const db = openDatabase(config.dbPath);
  const { from, to } = migrate(db);
  db.close();
  if (from !== to) log.info({ from, to, db: config.dbPath }, 'database migrated');
  if (command === 'migrate') return 0;

  if (!(ROLE_COMMANDS as readonly string[]).includes(command)) {
    process.stderr.write(`hydrant: unknown command "${command}" (see hydrant --help)\n`);
    return 2;
  }
  const roles = rolesFor(command as (typeof ROLE_COMMANDS)[number], config, log);
  for (const role of roles) await role.start();

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  // A second signal while stopping means "now".
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(1));
  await Promise.all(roles.map((r) => r.stop()));
  log.info('stopped');
  log.flush();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    process.stderr.write(`hydrant: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
