/** Rows as the database returns them (core/db/ functions return these shapes). */

export interface ProjectRow {
  name: string;
  displayname: string;
  description: string | null;
  enabled: number;
  hidden: number;
  owner: string | null;
  homepage: string | null;
  /** Hydra's declarative project: jobsets read from this file of the decltype/declvalue input. */
  declfile: string | null;
  decltype: string | null;
  declvalue: string | null;
  private: number;
  spec_source: string;
  spec_error: string | null;
}

export interface JobsetRow {
  id: number;
  project: string;
  name: string;
  description: string | null;
  nixexprinput: string | null;
  nixexprpath: string | null;
  enabled: number;
  hidden: number;
  checkinterval: number;
  /** A cron expression (core/schedule.ts), '' for none. */
  schedule: string;
  schedulecheckedtime: number | null;
  schedulingshares: number;
  enableemail: number;
  emailoverride: string;
  keepnr: number;
  errormsg: string | null;
  errortime: number | null;
  fetcherrormsg: string | null;
  lastcheckedtime: number | null;
  triggertime: number | null;
  starttime: number | null;
  lastinputshash: string | null;
  spec_source: string;
  spec_error: string | null;
}

export interface JobsetInputRow {
  jobset_id: number;
  name: string;
  type: string;
  value: string;
  emailresponsible: number;
}

export interface EvalRow {
  id: number;
  jobset_id: number;
  timestamp: number;
  checkouttime: number;
  evaltime: number;
  hasnewbuilds: number;
  hash: string;
  nrbuilds: number;
  nrsucceeded: number | null;
  nixexprinput: string | null;
  nixexprpath: string | null;
  errormsg: string | null;
}

export interface EvalInputRow {
  eval_id: number;
  name: string;
  altnr: number;
  type: string;
  uri: string | null;
  revision: string | null;
  value: string | null;
  dependency: number | null;
  path: string | null;
  sha256hash: string | null;
}

export interface BuildRow {
  id: number;
  finished: number;
  timestamp: number;
  jobset_id: number;
  job: string;
  nixname: string | null;
  description: string | null;
  drvpath: string;
  system: string;
  license: string | null;
  homepage: string | null;
  maintainers: string | null;
  maxsilent: number | null;
  timeout: number | null;
  ischannel: number;
  iscurrent: number;
  priority: number;
  globalpriority: number;
  starttime: number | null;
  stoptime: number | null;
  iscachedbuild: number | null;
  buildstatus: number | null;
  size: number | null;
  closuresize: number | null;
  releasename: string | null;
  keep: number;
  isaggregate: number;
  notificationpendingsince: number | null;
}

/** What the queue runner keeps of a queued build while it waits and builds. */
export type QueuedBuildRow = Pick<
  BuildRow,
  | 'id'
  | 'jobset_id'
  | 'job'
  | 'drvpath'
  | 'system'
  | 'priority'
  | 'globalpriority'
  | 'starttime'
  | 'timeout'
  | 'maxsilent'
>;

/** A build with the names users see, for pages and the API. */
export interface BuildWithJobset extends BuildRow {
  project: string;
  jobset: string;
}

export interface BuildOutputRow {
  build_id: number;
  name: string;
  path: string;
}

export interface BuildStepRow {
  build_id: number;
  stepnr: number;
  type: number;
  drvpath: string | null;
  busy: number;
  status: number | null;
  errormsg: string | null;
  starttime: number | null;
  stoptime: number | null;
  machine: string;
  system: string | null;
  propagatedfrom: number | null;
  overhead: number | null;
  timesbuilt: number | null;
  isnondeterministic: number | null;
  logfile: string | null;
}

export interface BuildProductRow {
  build_id: number;
  productnr: number;
  type: string;
  subtype: string;
  filesize: number | null;
  sha256hash: string | null;
  path: string;
  name: string;
  defaultpath: string | null;
}

export interface BuildMetricRow {
  build_id: number;
  name: string;
  unit: string | null;
  value: number;
}

/** Runtime state of a build machine (machines table, written by the queue runner). */
export interface MachineRow {
  name: string;
  enabled: number;
  systems: string;
  maxjobs: number;
  speedfactor: number;
  supportedfeatures: string;
  mandatoryfeatures: string;
  disabled_until: number | null;
  consecutive_failures: number;
  last_failure: number | null;
  last_failure_msg: string | null;
  nr_steps_done: number;
  total_step_time: number;
}

/** A request from the server to the queue runner (queue_commands). */
export interface QueueCommandRow {
  id: number;
  kind: string;
  build_id: number | null;
  eval_id: number | null;
  username: string | null;
  created: number;
  handled: number | null;
  result: string | null;
}
