import type { Db } from '../../core/db/database.ts';
import type { Logger } from '../../core/log.ts';
import type { Nix } from '../../core/nix/nix.ts';
import type { Step, StepGraph } from '../step-graph.ts';

/** What a queue command's use case may touch: the database, and the runner's work in progress. */
export interface CommandContext {
  db: Db;
  nix: Nix;
  log: Logger;
  graph: StepGraph;
  stopSteps: (steps: Step[]) => void;
}
