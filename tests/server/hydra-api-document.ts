// The response schemas of Hydra's API document, hydra-api.yaml (NixOS/hydra, commit
// 14332fbf), written out as the document states them, errors included: the document's
// facts, transcribed, so the test needs neither the GPL'd file nor a YAML parser. What the
// document gets wrong is corrected in one place, hydra-api-known-errors.ts.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  nullable?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  /** Any of these (a correction may allow two shapes). */
  anyOf?: Schema[];
}

const s = (nullable = false): Schema => ({ type: 'string', nullable });
const i = (nullable = false): Schema => ({ type: 'integer', nullable });
const b: Schema = { type: 'boolean' };
const obj = (properties: Record<string, Schema>): Schema => ({ type: 'object', properties });
const arr = (items: Schema): Schema => ({ type: 'array', items });
const map = (value: Schema): Schema => ({ type: 'object', additionalProperties: value });

export interface HydraApiDocument {
  components: Record<string, Schema>;
  /** Each documented path's 200 answer, as the document gives it; they share the components. */
  responses: Record<string, Schema>;
}

/** A fresh copy each call, so corrections made for one test never leak into another. */
export function hydraApiDocument(): HydraApiDocument {
  const DeclarativeInput = obj({ file: s(), type: s(), value: s() });
  const Project = obj({
    owner: s(),
    name: s(),
    displayname: s(),
    description: s(),
    homepage: s(),
    hidden: b,
    enabled: b,
    enable_dynamic_run_command: b,
    declarative: DeclarativeInput,
    jobsets: arr(s()),
  });
  const JobsetInput = obj({ name: s(), value: s(), type: s(), emailresponsible: b });
  const Jobset = obj({
    name: s(),
    project: s(),
    description: s(true),
    nixexprinput: s(true),
    nixexprpath: s(true),
    errormsg: s(true),
    errortime: i(true),
    lastcheckedtime: i(true),
    triggertime: i(true),
    enabled: i(),
    enableemail: b,
    enable_dynamic_run_command: b,
    visible: b,
    emailoverride: s(),
    keepnr: i(),
    checkinterval: i(),
    schedulingshares: i(),
    fetcherrormsg: s(true),
    startime: i(true),
    type: i(),
    flake: s(true),
    inputs: map(JobsetInput),
  });
  // The document gives `value` both a oneOf and `type: boolean`; the type applies.
  const JobsetEvalInput = obj({
    uri: s(true),
    type: s(),
    revision: s(true),
    value: { type: 'boolean', nullable: true },
    dependency: s(true),
  });
  const JobsetEval = obj({
    id: i(),
    timestamp: i(),
    checkouttime: i(),
    evaltime: i(),
    hasnewbuilds: b,
    flake: s(true),
    builds: arr(i()),
    jobsetevalinputs: map(JobsetEvalInput),
  });
  const BuildProduct = obj({
    filesize: i(true),
    defaultpath: s(),
    type: s(),
    name: s(),
    path: s(),
    subtype: s(),
    sha256hash: s(true),
  });
  const BuildOutput = obj({ path: s() });
  const Build = obj({
    id: i(),
    starttime: i(),
    stoptime: i(),
    timestamp: i(),
    jobsetevals: arr(i()),
    finished: b,
    nixname: s(),
    buildstatus: i(true),
    jobset: s(),
    priority: i(),
    job: s(),
    drvpath: s(),
    system: s(),
    project: s(),
    buildproducts: map(BuildProduct),
    buildoutputs: map(BuildOutput),
    buildmetrics: obj({ name: s(), value: s(), unit: s() }),
  });
  const JobsetOverview = arr(
    obj({
      name: s(),
      project: s(),
      nrtotal: i(),
      checkinterval: i(),
      haserrormsg: b,
      nrscheduled: i(),
      nrfailed: i(),
      errortime: i(),
      fetcherrormsg: { nullable: true },
      starttime: i(true),
      lastcheckedtime: i(),
      triggertime: i(true),
    }),
  );
  const Evaluations = obj({ first: s(), next: s(), last: s(), evals: arr(map(JobsetEval)) });

  const components = {
    Project,
    Jobset,
    JobsetInput,
    JobsetEval,
    JobsetEvalInput,
    Build,
    BuildProduct,
    BuildOutput,
    JobsetOverview,
    Evaluations,
  };

  const responses: Record<string, Schema> = {
    'POST /login': obj({ username: s(), fullname: s(), emailaddress: s(), userroles: arr(s()) }),
    'GET /': arr(Project),
    'POST /api/push': obj({ jobsetsTriggered: arr(s()) }),
    'GET /api/jobsets': JobsetOverview,
    'GET /search': obj({ jobsets: arr(Jobset), projects: arr(Project), builds: arr(Build), buildsdrv: arr(Build) }),
    'GET /project/{id}': Project,
    'GET /jobset/{project-id}/{jobset-id}': Jobset,
    'GET /jobset/{project-id}/{jobset-id}/evals': arr(Evaluations),
    'GET /build/{build-id}': Build,
    'GET /build/{build-id}/constituents': arr(Build),
    'GET /eval/{eval-id}': JobsetEval,
    'GET /eval/{eval-id}/builds': arr(map(Build)),
  };
  return { components, responses };
}
