import type { ApplyContext } from './apply-outcome.ts';
import type { CommandContext } from './commands/context.ts';
import type { RunStepContext } from './run-step.ts';

/**
 * What the queue runner's parts share, built once in index.ts: the database and Nix, the
 * step graph, the settings a step needs, and the work that outlives a step (log compression).
 * Each part names the slice it uses (ApplyContext, RunStepContext, CommandContext).
 */
export interface QueueRunnerContext extends ApplyContext, RunStepContext, CommandContext {}
