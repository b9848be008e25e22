// Nix expressions that keep the evaluator busy for a known amount of arithmetic at constant
// memory: folds of small folds of 1,000 additions each, whose lists the garbage collector frees as
// it goes (one big genList would hold every element at once). About 7 million additions a second
// on our 2-core machine. A test that needs an evaluation to be running when something else happens
// uses `endlessSum` and stops it (stopping the evaluator does), so a faster machine cannot finish
// it early.

const thousand = "builtins.foldl' (x: y: x + y) 0 (builtins.genList (x: x) 1000)";

/** `rounds` thousand additions (keep rounds under a million: its list is held whole). */
export function slowSum(rounds: number): string {
  return `toString (builtins.foldl' (a: i: a + ${thousand}) 0 (builtins.genList (x: x) ${rounds}))`;
}

/** 10^11 additions, hours of evaluation: only ever run to be stopped. */
export const endlessSum =
  "toString (builtins.foldl' (a: i: a + builtins.foldl' (b: j: b + " +
  `${thousand}) 0 (builtins.genList (x: x) 1000)) 0 (builtins.genList (x: x) 100000))`;
