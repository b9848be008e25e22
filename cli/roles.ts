import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { createEvaluator } from '../evaluator/index.ts';
import { createQueueRunner } from '../queue-runner/index.ts';
import { createWebServer } from '../server/index.ts';

export interface Role {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every role `hydrant start` supervises, one OS process each, in start order; each is also
 * a command of its own (`hydrant NAME`). A new role is one line here.
 */
export const ROLES: readonly { name: string; create: (config: Config, deps: { log: Logger }) => Role }[] = [
  { name: 'evaluator', create: createEvaluator },
  { name: 'queue-runner', create: createQueueRunner },
  { name: 'server', create: createWebServer },
];

export function roleNamed(name: string) {
  return ROLES.find((r) => r.name === name);
}
