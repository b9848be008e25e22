import type { QueuedBuildRow } from '../core/model/rows.ts';
import type { Derivation, Nix } from '../core/nix/nix.ts';
import { linkSteps, newStep, type QueuedBuild, type StepGraph } from './step-graph.ts';

/**
 * Turns newly seen queued builds into steps: one per derivation in each build's closure
 * whose outputs are not all valid, shared with steps already in the graph. Walks the
 * closures level by level so one `nix-store --check-validity` answers a whole level.
 */
export async function expandBuilds(
  graph: StepGraph,
  nix: Nix,
  all: readonly QueuedBuildRow[],
): Promise<{ admitted: QueuedBuild[]; unreadable: { row: QueuedBuildRow; message: string }[] }> {
  // What this call learnt; the graph's steps are looked up where they are (copying them here
  // for every batch of a 100,000-build queue cost more than the rest of taking it in).
  const known = new Map<string, 'valid' | 'step'>();
  const isKnown = (path: string) => known.has(path) || graph.steps.has(path);
  const drvs = new Map<string, Derivation>();
  // A derivation that is gone (garbage-collected) or broken must not hold up the rest of the queue.
  const unreadable: { row: QueuedBuildRow; message: string }[] = [];
  const rows: QueuedBuildRow[] = [];
  for (const row of all) {
    if (isKnown(row.drvpath)) {
      rows.push(row);
      continue;
    }
    const problem = await nix.readDerivation(row.drvpath).then(
      () => null,
      (e: Error) => e.message,
    );
    if (problem) unreadable.push({ row, message: `cannot read the build's derivation ${row.drvpath}: ${problem}` });
    else rows.push(row);
  }
  let frontier = [...new Set(rows.map((r) => r.drvpath))].filter((p) => !isKnown(p));
  while (frontier.length) {
    const read = await Promise.all(frontier.map((p) => nix.readDerivation(p)));
    const outputsOf = read.map((d) => Object.values(d.outputs).map((o) => o.path));
    const valid = await nix.validPaths(outputsOf.flat());
    const next = new Set<string>();
    frontier.forEach((path, i) => {
      const drv = read[i]!;
      if (outputsOf[i]!.every((o) => valid.has(o))) {
        known.set(path, 'valid');
        return;
      }
      known.set(path, 'step');
      drvs.set(path, drv);
      graph.steps.set(path, newStep(path, drv));
      for (const input of Object.keys(drv.inputDrvs)) if (!isKnown(input)) next.add(input);
    });
    frontier = [...next];
  }
  for (const [path, drv] of drvs) {
    const step = graph.steps.get(path)!;
    for (const input of Object.keys(drv.inputDrvs)) {
      const dep = graph.steps.get(input);
      if (dep && known.get(input) !== 'valid') {
        linkSteps(step, dep);
      }
    }
  }
  return { admitted: rows.map((row) => graph.addBuild(row, graph.steps.get(row.drvpath) ?? null)), unreadable };
}
