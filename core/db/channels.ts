import { stmt, type Db } from './database.ts';
import { BuildStatus } from '../model/status.ts';

/** A build in a channel, with the outputs the channel's expression points at. */
export interface ChannelBuild {
  id: number;
  job: string;
  system: string;
  nixname: string | null;
  releasename: string | null;
  description: string | null;
  license: string | null;
  maintainers: string | null;
  outputs: Record<string, string>;
}

const HAS_NIX_BUILD = `EXISTS (SELECT 1 FROM build_products bp WHERE bp.build_id = b.id AND bp.type = 'nix-build')`;
const COLUMNS = 'b.id, b.job, b.system, b.nixname, b.releasename, b.description, b.license, b.maintainers';

function withOutputs(db: Db, rows: Omit<ChannelBuild, 'outputs'>[]): ChannelBuild[] {
  const outputs = stmt<{ name: string; path: string }>(
    db,
    'SELECT name, path FROM build_outputs WHERE build_id = ? ORDER BY name',
  );
  return rows.map((r) => ({ ...r, outputs: Object.fromEntries(outputs.all(r.id).map((o) => [o.name, o.path])) }));
}

/**
 * Hydra's "latest" channel of a jobset, or of one job (Base/Controller/ListBuilds.pm nix,
 * the LatestSucceeded queries of Schema/Result/Builds.pm): for every job and system of the
 * current evaluation (Hydra's isCurrent), its newest successful build, if that build has a
 * nix-build product.
 */
export function latestChannelBuilds(db: Db, jobsetId: number, job = ''): ChannelBuild[] {
  const rows = stmt<Omit<ChannelBuild, 'outputs'>>(
    db,
    `WITH active AS (
      SELECT DISTINCT b.job, b.system FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
      WHERE m.eval_id = (SELECT max(id) FROM jobset_evals WHERE jobset_id = @jobset) AND (@job = '' OR b.job = @job))
    SELECT ${COLUMNS} FROM active a JOIN builds b ON b.id = (
      SELECT max(x.id) FROM builds x WHERE x.jobset_id = @jobset AND x.job = a.job AND x.system = a.system
        AND x.finished = 1 AND x.buildstatus = ${BuildStatus.Success})
    WHERE ${HAS_NIX_BUILD} ORDER BY b.id`,
  ).all({ jobset: jobsetId, job });
  return withOutputs(db, rows);
}

/** The channel of one evaluation (JobsetEval.pm nix): its successful builds with a nix-build product. */
export function evalChannelBuilds(db: Db, evalId: number): ChannelBuild[] {
  const rows = stmt<Omit<ChannelBuild, 'outputs'>>(
    db,
    `SELECT ${COLUMNS} FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
    WHERE m.eval_id = ? AND b.finished = 1 AND b.buildstatus = ${BuildStatus.Success} AND ${HAS_NIX_BUILD}
      ORDER BY b.id`,
  ).all(evalId);
  return withOutputs(db, rows);
}

/**
 * Hydra's custom channel (Controller/Channel.pm): the newest successful build of job
 * `channel` in an evaluation that added builds, by evaluation.
 */
export function lastSuccessfulChannelJob(db: Db, jobsetId: number, channel: string): number | undefined {
  return stmt<{ id: number }>(
    db,
    `SELECT b.id FROM builds b JOIN jobset_eval_members m ON m.build_id = b.id JOIN jobset_evals e ON e.id = m.eval_id
    WHERE e.hasnewbuilds = 1 AND b.jobset_id = ? AND b.job = ? AND b.finished = 1
      AND b.buildstatus = ${BuildStatus.Success}
    ORDER BY e.id DESC LIMIT 1`,
  ).get(jobsetId, channel)?.id;
}

/** The product of type "channel" named `name` of a build (the file a custom channel serves). */
export function channelProductNr(db: Db, buildId: number, name: string): number | undefined {
  return stmt<{ productnr: number }>(
    db,
    `SELECT productnr FROM build_products WHERE build_id = ? AND type = 'channel' AND name = ?`,
  ).get(buildId, name)?.productnr;
}
