#!/usr/bin/env node
import cluster from 'node:cluster';
import { ConfigError, readConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { migrate } from '../core/db/migrate.ts';
import { createLogger } from '../core/log.ts';
import { helpText } from './help.ts';
import { guardProcess } from './process-guard.ts';
import { ROLES, roleNamed } from './roles.ts';
import { supervise, SUPERVISED_ROLE_ENV } from './supervisor.ts';
import { userAdd } from './user-add.ts';

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
  // A process `hydrant start` forked for one role runs that role's command.
  const command = process.env[SUPERVISED_ROLE_ENV] ?? positional[0] ?? 'start';
  const log = createLogger(config.logLevel);

  const db = openDatabase(config.dbPath);
  const { from, to } = migrate(db);
  db.close();
  if (from !== to) log.info({ from, to, db: config.dbPath }, 'database migrated');
  if (command === 'migrate') return 0;

  if (command === 'start') {
    const code = await supervise(ROLES, config, argv, log);
    log.flush();
    return code;
  }
  const spec = roleNamed(command);
  if (!spec) {
    process.stderr.write(`hydrant: unknown command "${command}" (see hydrant --help)\n`);
    return 2;
  }
  guardProcess(log, command);
  const role = spec.create(config, { log });
  await role.start();

  const supervised = process.env[SUPERVISED_ROLE_ENV] !== undefined;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    // Supervised: a supervisor that is gone (even by kill -9) takes its roles with it, also
    // when it went while the role was starting, before this listener existed.
    process.once('disconnect', () => shutdown('supervisor gone'));
    if (supervised && !process.connected) shutdown('supervisor gone');
  });
  // A second signal while stopping means "now" — unless a supervisor sent it: a service
  // manager signals every process of the service and the supervisor passes it on, and the
  // supervisor kills a role that takes too long anyway.
  if (!supervised) {
    process.once('SIGTERM', () => process.exit(1));
    process.once('SIGINT', () => process.exit(1));
  }
  await role.stop();
  log.info('stopped');
  // A cluster worker's channel is node:cluster's: ending it makes the supervisor kill the
  // worker, so a worker exits by itself once its last lines are written.
  if (cluster.isWorker) await new Promise<void>((resolve) => log.flush(() => resolve())).then(() => process.exit(0));
  log.flush();
  // The IPC channel to a supervisor would keep this process alive.
  if (process.connected) process.disconnect();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`hydrant: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
