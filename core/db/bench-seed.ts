import { stmt, type Db } from './database.ts';
import { BuildStatus } from '../model/status.ts';

/**
 * Fills an empty database with a big, realistic history for bench/server: one project of
 * `jobsets` jobsets; the first has `bigJobs` jobs per evaluation (Hydra's nixpkgs-sized
 * evaluations), the others `smallJobs`. Each evaluation rebuilds a share of the jobs and
 * reuses the other builds, as real evaluations do. The newest evaluation's new builds are
 * still queued. Written with the same columns the evaluator and queue runner write, in one
 * transaction with prepared statements (the caller may turn synchronous off for the seed).
 */
export interface SeedShape {
  jobsets: number;
  bigJobs: number;
  bigEvals: number;
  bigRebuilt: number;
  smallJobs: number;
  smallEvals: number;
}

/** Nix's base-32 alphabet: store hashes are 32 of these, and they do not compress. */
const NIX_BASE32 = '0123456789abcdfghijklmnpqrsvwxyz';

export function seedBigDatabase(
  db: Db,
  shape: SeedShape,
  random: () => number,
): { builds: number; bigJobsetId: number } {
  let builds = 0;
  let bigJobsetId = 0;
  let clock = 1_700_000_000;
  // Real store paths, not short placeholders: their hashes are most of the bytes of an
  // /eval/N/builds answer once it is gzipped.
  const storeHash = () => Array.from({ length: 32 }, () => NIX_BASE32[Math.floor(random() * 32)]).join('');
  db.transaction(() => {
    stmt(
      db,
      `INSERT INTO projects (name, displayname, description, owner)
        VALUES ('big', 'Big project', 'bench data', 'bench')`,
    ).run();
    const insertJobset = stmt<{ id: number }>(
      db,
      `INSERT INTO jobsets (project, name, description, nixexprinput, nixexprpath)
        VALUES ('big', ?, 'bench jobset', 'src', 'release.nix') RETURNING id`,
    );
    const insertInput = stmt(
      db,
      `INSERT INTO jobset_inputs (jobset_id, name, type, value)
        VALUES (?, 'src', 'git', 'https://example.invalid/big.git main')`,
    );
    const insertEval = stmt<{ id: number }>(
      db,
      `INSERT INTO jobset_evals (jobset_id, timestamp, checkouttime, evaltime, hasnewbuilds, hash, nrbuilds)
        VALUES (?, ?, 3, 40, 1, ?, ?) RETURNING id`,
    );
    const insertEvalInput = stmt(
      db,
      `INSERT INTO jobset_eval_inputs (eval_id, name, type, uri, revision)
        VALUES (?, 'src', 'git', 'https://example.invalid/big.git', ?)`,
    );
    const insertBuild = stmt<{ id: number }>(
      db,
      `INSERT INTO builds (finished, timestamp, jobset_id, job, nixname, drvpath, system, starttime, stoptime,
                          buildstatus, iscachedbuild)
                                  VALUES (?, ?, ?, ?, ?, ?, 'x86_64-linux', ?, ?, ?, 0) RETURNING id`,
    );
    const insertOutput = stmt(db, 'INSERT INTO build_outputs (build_id, name, path) VALUES (?, ?, ?)');
    const insertMember = stmt(db, 'INSERT INTO jobset_eval_members (eval_id, build_id, isnew) VALUES (?, ?, ?)');
    const insertStep = stmt(
      db,
      `INSERT INTO build_steps (build_id, stepnr, drvpath, busy, status, starttime, stoptime, machine, system, logfile)
                                 VALUES (?, 1, ?, 0, ?, ?, ?, 'ssh://builder1', 'x86_64-linux', ?)`,
    );
    for (let j = 0; j < shape.jobsets; j++) {
      const big = j === 0;
      const { id: jobsetId } = insertJobset.get(`j${String(j).padStart(2, '0')}`)!;
      if (big) bigJobsetId = jobsetId;
      insertInput.run(jobsetId);
      const jobs = big ? shape.bigJobs : shape.smallJobs;
      const evals = big ? shape.bigEvals : shape.smallEvals;
      const current: number[] = new Array(jobs).fill(0);
      for (let e = 0; e < evals; e++) {
        clock += 600;
        const last = e === evals - 1;
        const { id: evalId } = insertEval.get(jobsetId, clock, `hash-${jobsetId}-${e}`, jobs)!;
        insertEvalInput.run(evalId, `rev${jobsetId}x${e}`);
        // Small jobsets rebuild everything each time; the big one a rotating share.
        const rebuilt = (k: number) => e === 0 || !big || (k + e * shape.bigRebuilt) % jobs < shape.bigRebuilt;
        for (let k = 0; k < jobs; k++) {
          if (rebuilt(k)) {
            const job = `job-${String(k).padStart(5, '0')}`;
            const drv = `/nix/store/${storeHash()}-${job}.drv`;
            const finished = last ? 0 : 1;
            let status: number | null = null;
            if (finished) status = random() < 0.9 ? BuildStatus.Success : BuildStatus.Failed;
            const start = finished ? clock + Math.floor(random() * 300) : null;
            const stop = start === null ? null : start + 10 + Math.floor(random() * 600);
            const { id } = insertBuild.get(finished, clock, jobsetId, job, job, drv, start, stop, status)!;
            insertOutput.run(id, 'out', `/nix/store/${storeHash()}-${job}`);
            if (big && finished) insertStep.run(id, drv, status, start, stop, `logs/${id}/1.log`);
            current[k] = id;
            builds++;
            insertMember.run(evalId, id, 1);
          } else {
            insertMember.run(evalId, current[k], 0);
          }
        }
      }
    }
  }).immediate();
  return { builds, bigJobsetId };
}

/** What bench/server measures: the big jobset's newest evaluation and a failed build in it. */
export function benchTargets(db: Db): { bigEval: number; failedBuild: number; builds: number; members: number } {
  const bigEval = stmt<{ id: number }>(
    db,
    `SELECT max(e.id) AS id FROM jobset_evals e JOIN jobsets j ON j.id = e.jobset_id WHERE j.project = 'big'
      AND j.name = 'j00'`,
  ).get()!.id;
  const failedBuild = stmt<{ id: number }>(
    db,
    `SELECT max(b.id) AS id FROM builds b JOIN jobsets j ON j.id = b.jobset_id WHERE j.project = 'big'
      AND j.name = 'j00' AND b.buildstatus = ${BuildStatus.Failed}`,
  ).get()!.id;
  const { builds, members } = stmt<{ builds: number; members: number }>(
    db,
    `SELECT (SELECT count(*) FROM builds) AS builds,
            (SELECT count(*) FROM jobset_eval_members WHERE eval_id = ?) AS members`,
  ).get(bigEval)!;
  return { bigEval, failedBuild, builds, members };
}
