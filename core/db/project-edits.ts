import { stmt, writeTransaction, type Db } from './database.ts';

/** Projects and jobsets created and edited through the API (PUT/DELETE), as Hydra allows. */

export interface ProjectEdit {
  name: string;
  displayname: string;
  description: string;
  homepage: string;
  owner: string;
  enabled: boolean;
  hidden: boolean;
  private: boolean;
}

/** Returns whether the project is new. API edits never touch spec_source: a spec-declared project stays declared. */
export function saveProject(db: Db, p: ProjectEdit): boolean {
  return writeTransaction(db, () => {
    const existed = stmt(db, 'SELECT 1 FROM projects WHERE name = ?').get(p.name) !== undefined;
    stmt(
      db,
      `INSERT INTO projects (name, displayname, description, homepage, owner, enabled, hidden, private)
              VALUES (@name, @displayname, @description, @homepage, @owner, @enabled, @hidden, @private)
              ON CONFLICT (name) DO UPDATE SET displayname = excluded.displayname, description = excluded.description,
                homepage = excluded.homepage, enabled = excluded.enabled, hidden = excluded.hidden,
                  private = excluded.private`,
    ).run({ ...p, enabled: p.enabled ? 1 : 0, hidden: p.hidden ? 1 : 0, private: p.private ? 1 : 0 });
    return !existed;
  });
}

export function deleteProject(db: Db, name: string): boolean {
  return stmt(db, 'DELETE FROM projects WHERE name = ?').run(name).changes > 0;
}

export interface JobsetEdit {
  project: string;
  name: string;
  description: string;
  nixexprinput: string;
  nixexprpath: string;
  enabled: number;
  hidden: boolean;
  checkinterval: number;
  /** A cron expression (core/schedule.ts), '' for none; left out keeps the jobset's. */
  schedule?: string;
  schedulingshares: number;
  enableemail: boolean;
  emailoverride: string;
  keepnr: number;
  inputs: { name: string; type: string; value: string; emailresponsible: boolean }[];
}

export function saveJobset(db: Db, j: JobsetEdit): boolean {
  return writeTransaction(db, () => {
    const existed =
      stmt(db, 'SELECT 1 FROM jobsets WHERE project = ? AND name = ?').get(j.project, j.name) !== undefined;
    const { id } = stmt<{ id: number }>(
      db,
      `INSERT INTO jobsets (project, name, description, nixexprinput, nixexprpath, enabled, hidden, checkinterval,
                                                  schedule, schedulingshares, enableemail, emailoverride, keepnr)
              VALUES (@project, @name, @description, @nixexprinput, @nixexprpath, @enabled, @hidden, @checkinterval,
                      COALESCE(@schedule, ''), @schedulingshares, @enableemail, @emailoverride, @keepnr)
              ON CONFLICT (project, name) DO UPDATE SET description = excluded.description,
                nixexprinput = excluded.nixexprinput,
                nixexprpath = excluded.nixexprpath, enabled = excluded.enabled, hidden = excluded.hidden,
                checkinterval = excluded.checkinterval, schedulingshares = excluded.schedulingshares,
                schedulecheckedtime = CASE WHEN @schedule IS NULL
                  OR jobsets.schedule = @schedule THEN jobsets.schedulecheckedtime ELSE NULL END,
                schedule = COALESCE(@schedule, jobsets.schedule),
                enableemail = excluded.enableemail, emailoverride = excluded.emailoverride, keepnr = excluded.keepnr,
                lastinputshash = NULL
              RETURNING id`,
    ).get({ ...j, schedule: j.schedule ?? null, hidden: j.hidden ? 1 : 0, enableemail: j.enableemail ? 1 : 0 })!;
    stmt(db, 'DELETE FROM jobset_inputs WHERE jobset_id = ?').run(id);
    for (const i of j.inputs) {
      stmt(db, 'INSERT INTO jobset_inputs (jobset_id, name, type, value, emailresponsible) VALUES (?, ?, ?, ?, ?)').run(
        id,
        i.name,
        i.type,
        i.value,
        i.emailresponsible ? 1 : 0,
      );
    }
    return !existed;
  });
}

export function deleteJobset(db: Db, project: string, name: string): boolean {
  return stmt(db, 'DELETE FROM jobsets WHERE project = ? AND name = ?').run(project, name).changes > 0;
}
