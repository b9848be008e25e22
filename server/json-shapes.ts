import type {
  BuildMetricRow,
  BuildOutputRow,
  BuildProductRow,
  BuildWithJobset,
  EvalInputRow,
  EvalRow,
  JobsetInputRow,
  JobsetRow,
  ProjectRow,
} from '../core/model/rows.ts';

/**
 * JSON in the shapes Hydra's serializers send (Schema/Result/*.pm: as_json, or TO_JSON with
 * json_hint), which is what Hydra clients parse. Where Hydra's API document
 * (hydra-api.yaml) says otherwise, the code wins; tests/server/hydra-api-known-errors.ts
 * lists each such place. In short: project `enabled`/`hidden` and jobset `visible`,
 * `enableemail`, `enable_dynamic_run_command` are booleans (boolean_columns); a build's
 * `finished` and an evaluation's `hasnewbuilds` are the integer columns (plain columns).
 */

export function projectJson(p: ProjectRow, jobsets: string[]) {
  return {
    name: p.name,
    displayname: p.displayname,
    description: p.description ?? '',
    homepage: p.homepage ?? '',
    owner: p.owner ?? '',
    enabled: p.enabled === 1,
    enable_dynamic_run_command: false,
    hidden: p.hidden === 1,
    jobsets,
    // Hydra has no private projects: the key appears only on one (which only its readers see).
    ...(p.private === 1 ? { private: true } : {}),
    // Projects.pm as_json adds `declarative` only for a declarative project.
    ...(p.declfile ? { declarative: { file: p.declfile, type: p.decltype ?? '', value: p.declvalue ?? '' } } : {}),
  };
}

export function jobsetJson(j: JobsetRow, inputs: JobsetInputRow[]) {
  return {
    name: j.name,
    project: j.project,
    description: j.description ?? '',
    nixexprinput: j.nixexprinput,
    nixexprpath: j.nixexprpath,
    errormsg: j.errormsg ?? '',
    fetcherrormsg: j.fetcherrormsg ?? '',
    errortime: j.errortime,
    lastcheckedtime: j.lastcheckedtime,
    triggertime: j.triggertime,
    starttime: j.starttime,
    enabled: j.enabled,
    visible: j.hidden === 0,
    enableemail: j.enableemail === 1,
    enable_dynamic_run_command: false,
    emailoverride: j.emailoverride,
    keepnr: j.keepnr,
    checkinterval: j.checkinterval,
    schedulingshares: j.schedulingshares,
    type: 0,
    flake: '',
    inputs: Object.fromEntries(
      inputs.map((i) => [
        i.name,
        { name: i.name, type: i.type, value: i.value, emailresponsible: i.emailresponsible === 1 },
      ]),
    ),
  };
}

export function evalJson(e: EvalRow, inputs: EvalInputRow[], buildIds: number[]) {
  return {
    id: e.id,
    timestamp: e.timestamp,
    checkouttime: e.checkouttime,
    evaltime: e.evaltime,
    hasnewbuilds: e.hasnewbuilds,
    flake: null,
    builds: buildIds,
    jobsetevalinputs: Object.fromEntries(
      inputs.map((i) => [
        i.name,
        {
          uri: i.uri,
          type: i.type,
          revision: i.revision,
          value: i.value,
          dependency: i.dependency,
        },
      ]),
    ),
  };
}

export function buildJson(
  b: BuildWithJobset,
  extra: { outputs: BuildOutputRow[]; products: BuildProductRow[]; metrics: BuildMetricRow[]; evals: number[] },
) {
  return {
    id: b.id,
    project: b.project,
    jobset: b.jobset,
    job: b.job,
    nixname: b.nixname,
    system: b.system,
    drvpath: b.drvpath,
    timestamp: b.timestamp,
    starttime: b.starttime,
    stoptime: b.stoptime,
    finished: b.finished,
    buildstatus: b.finished ? b.buildstatus : null,
    priority: b.priority,
    releasename: b.releasename,
    jobsetevals: extra.evals,
    buildoutputs: Object.fromEntries(extra.outputs.map((o) => [o.name, { path: o.path }])),
    buildproducts: Object.fromEntries(
      extra.products.map((p) => [
        String(p.productnr),
        {
          filesize: p.filesize,
          defaultpath: p.defaultpath ?? '',
          type: p.type,
          name: p.name,
          sha256hash: p.sha256hash,
          path: p.path,
          subtype: p.subtype,
        },
      ]),
    ),
    buildmetrics: Object.fromEntries(extra.metrics.map((m) => [m.name, { unit: m.unit, value: m.value }])),
  };
}

/** The user object Hydra's /login answers with. */
export function userJson(u: {
  username: string;
  fullname: string | null;
  emailaddress: string | null;
  roles: string[];
}) {
  return { username: u.username, fullname: u.fullname ?? '', emailaddress: u.emailaddress ?? '', userroles: u.roles };
}
