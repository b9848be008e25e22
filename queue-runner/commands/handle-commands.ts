import { markCommandHandled, pendingCommands, type QueueCommandRow } from '../../core/db/commands-handle.ts';
import { bumpEval } from './bump-eval.ts';
import { bump } from './bump.ts';
import { cancelEval } from './cancel-eval.ts';
import { cancelBuild } from './cancel.ts';
import type { CommandContext } from './context.ts';
import { restartBuild } from './restart.ts';
import { restartAbortedOfEval } from './restart-aborted-of-eval.ts';
import { restartFailedOfEval } from './restart-failed-of-eval.ts';

/** Carries out the server's pending requests in order; each is marked handled with what happened. */
export async function handleCommands(ctx: CommandContext): Promise<number> {
  const commands = pendingCommands(ctx.db);
  for (const c of commands) {
    let result: string;
    try {
      result = await carryOut(ctx, c);
    } catch (e) {
      result = `failed: ${(e as Error).message}`;
      ctx.log.error({ err: e, command: c.id }, 'queue command failed');
    }
    markCommandHandled(ctx.db, c.id, result);
    ctx.log.info({ command: c.id, kind: c.kind, user: c.username, result }, 'queue command handled');
  }
  return commands.length;
}

async function carryOut(ctx: CommandContext, c: QueueCommandRow): Promise<string> {
  const needBuild = (): number => {
    if (c.build_id === null) throw new Error(`a ${c.kind} request needs a build_id`);
    return c.build_id;
  };
  const needEval = (): number => {
    if (c.eval_id === null) throw new Error(`a ${c.kind} request needs an eval_id`);
    return c.eval_id;
  };
  switch (c.kind) {
    case 'cancel':
      return cancelBuild(ctx, needBuild());
    case 'restart':
      return restartBuild(ctx, needBuild());
    case 'bump':
      return bump(ctx, needBuild());
    case 'restart-failed-of-eval':
      return restartFailedOfEval(ctx, needEval());
    case 'restart-aborted-of-eval':
      return restartAbortedOfEval(ctx, needEval());
    case 'cancel-eval':
      return cancelEval(ctx, needEval());
    case 'bump-eval':
      return bumpEval(ctx, needEval());
    default:
      return `refused: unknown request kind "${c.kind}"`;
  }
}
