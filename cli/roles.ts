import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { createEvaluator } from '../evaluator/index.ts';
import { createQueueRunner } from '../queue-runner/index.ts';
import { createWebServer } from '../server/index.ts';

export interface Role {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

export interface RoleSpec {
  name: string;
  create: (config: Config, deps: { log: Logger }) => Role;
  /**
   * Scheduling priority under `hydrant start` (nice, 0 normal): the web server yields the CPU
   * to the builds, so a crowd of readers of big logs slows pages, never the building.
   */
  nice?: number;
  /** Processes of this role under `hydrant start` (default 1). */
  workers?: (config: Config) => number;
}

/**
 * Every role `hydrant start` supervises, one OS process each, in start order; each is also
 * a command of its own (`hydrant NAME`). A new role is one line here.
 */
export const ROLES: readonly RoleSpec[] = [
  { name: 'evaluator', create: createEvaluator },
  { name: 'queue-runner', create: createQueueRunner },
  { name: 'server', create: createWebServer, nice: 5, workers: (config) => config.serverWorkers },
];

export function roleNamed(name: string) {
  return ROLES.find((r) => r.name === name);
}
