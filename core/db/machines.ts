import type { MachineRow } from '../model/rows.ts';

export type { MachineRow };
import { now, stmt, writeTransaction, type Db } from './database.ts';

export interface MachineDeclaration {
  name: string;
  systems: string[];
  maxJobs: number;
  speedFactor: number;
  supportedFeatures: string[];
  mandatoryFeatures: string[];
}

/**
 * Makes the machines table match the machines file: declared machines are added or
 * updated (their counters and back-off kept), machines no longer declared are removed.
 */
export function syncMachines(db: Db, machines: readonly MachineDeclaration[]): void {
  writeTransaction(db, () => {
    for (const m of machines) {
      stmt(
        db,
        `INSERT INTO machines (name, enabled, systems, maxjobs, speedfactor, supportedfeatures, mandatoryfeatures)
                VALUES (@name, 1, @systems, @maxjobs, @speedfactor, @supported, @mandatory)
       ON CONFLICT (name) DO UPDATE SET enabled = 1, systems = @systems, maxjobs = @maxjobs, speedfactor = @speedfactor,
                  supportedfeatures = @supported, mandatoryfeatures = @mandatory`,
      ).run({
        name: m.name,
        systems: m.systems.join(' '),
        maxjobs: m.maxJobs,
        speedfactor: m.speedFactor,
        supported: m.supportedFeatures.join(' '),
        mandatory: m.mandatoryFeatures.join(' '),
      });
    }
    const keep = new Set(machines.map((m) => m.name));
    for (const { name } of stmt<{ name: string }>(db, 'SELECT name FROM machines').all()) {
      if (!keep.has(name)) stmt(db, 'DELETE FROM machines WHERE name = ?').run(name);
    }
  });
}

export function listMachines(db: Db): MachineRow[] {
  return stmt<MachineRow>(db, 'SELECT * FROM machines ORDER BY name').all();
}

/** A connection failure: the machine gets no work until `disabledUntil`. */
export function recordMachineFailure(db: Db, name: string, message: string, disabledUntil: number): void {
  stmt(
    db,
    `UPDATE machines SET consecutive_failures = consecutive_failures + 1, last_failure = ?, last_failure_msg = ?,
      disabled_until = ?
            WHERE name = ?`,
  ).run(now(), message.slice(0, 2000), disabledUntil, name);
}

/** A step the machine carried out (whatever the build's verdict): it is reachable again. */
export function recordMachineStep(db: Db, name: string, seconds: number): void {
  stmt(
    db,
    `UPDATE machines SET nr_steps_done = nr_steps_done + 1, total_step_time = total_step_time + ?,
      consecutive_failures = 0, disabled_until = NULL
            WHERE name = ?`,
  ).run(Math.max(0, Math.round(seconds)), name);
}

export function machineFailureCount(db: Db, name: string): number {
  return stmt<{ n: number }>(db, 'SELECT consecutive_failures AS n FROM machines WHERE name = ?').get(name)?.n ?? 0;
}
