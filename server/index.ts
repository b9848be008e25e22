import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../core/config.ts';
import { openDatabase, type Db } from '../core/db/database.ts';
import type { Logger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import type { Nix } from '../core/nix/nix.ts';
import { openLocalStore, type LocalStore } from '../core/nix/local-store.ts';
import { loadSecretKey } from '../core/nix/signing.ts';
import { createApp } from './app.ts';
import { createRateLimiter } from './auth/rate-limit.ts';
import { createReadCache } from './cache.ts';
import { createRenderer, type Render } from './render.ts';

export interface WebServerDeps {
  log: Logger;
  db?: Db;
  nix?: Pick<Nix, 'readLog'>;
  store?: LocalStore;
  /** The templates (tests count what is rendered). */
  render?: Render;
}

export interface WebServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Nothing to do on a tick: the server only answers requests. Present for symmetry with the other roles. */
  runOnce(): Promise<void>;
  /** The URL it listens on, once started (useful with port 0). */
  url(): string;
}

/** The server role: the web site and JSON API, reading the database. */
export function createWebServer(config: Config, deps: WebServerDeps): WebServer {
  const log = deps.log.child({ role: 'server' });
  const db = deps.db ?? openDatabase(config.dbPath);
  // Five attempts per user name and twenty per client address per five minutes.
  // The default base URL names the port asked for; with port 0 it becomes the one picked at start.
  const site: Config = { ...config };
  const store = deps.store ?? openLocalStore();
  const cacheKey = config.binaryCacheSecretKeyFile ? loadSecretKey(config.binaryCacheSecretKeyFile) : null;
  const app = createApp({
    db,
    render: deps.render ?? createRenderer(),
    config: site,
    log,
    cache: createReadCache(db),
    loginLimiter: createRateLimiter(db, 5, 300),
    nix: deps.nix ?? new CliNix(),
    store,
    cacheKey,
  });
  let server: Server | undefined;
  return {
    start() {
      return new Promise((resolve, reject) => {
        server = app.listen(config.port, config.host, () => {
          if (config.baseUrl === `http://${config.host}:${config.port}`) site.baseUrl = this.url();
          log.info({ url: this.url() }, 'web server listening');
          resolve();
        });
        server.once('error', reject);
      });
    },
    async stop() {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      if (!deps.db) db.close();
      if (!deps.store) store.close();
    },
    async runOnce() {},
    url() {
      const address = server?.address() as AddressInfo | null | undefined;
      return address ? `http://${config.host}:${address.port}` : '';
    },
  };
}
