// Where Hydra's API document (hydra-api.yaml) and Hydra's code disagree, the code is what
// clients see. Every such place we know of, with the Hydra code that contradicts the
// document (paths under NixOS/hydra subprojects/hydra/lib/Hydra/). hydra-api.test.ts checks
// that each entry is still needed: hydrant's answer fails the uncorrected document there.
import type { HydraApiDocument, Schema } from './hydra-api-document.ts';

export interface KnownError {
  where: string;
  document: string;
  hydra: string;
  /** The Hydra code that shows what clients get. */
  code: string;
  correct(doc: HydraApiDocument): void;
}

const int = (nullable = false): Schema => ({ type: 'integer', nullable });
const props = (schema: Schema | undefined) => schema!.properties!;

export const KNOWN_ERRORS: KnownError[] = [
  {
    where: 'Build.finished',
    document: 'boolean',
    hydra: 'the integer column, 0 or 1',
    code: "Schema/Result/Builds.pm as_json: finished => $self->get_column('finished')",
    correct: (d) => {
      props(d.components.Build).finished = int();
    },
  },
  {
    where: 'Build.starttime, Build.stoptime',
    document: 'integer',
    hydra: 'null until the build starts (stops)',
    code: "Schema/Result/Builds.pm as_json: starttime => $self->get_column('starttime') (a nullable column)",
    correct: (d) => {
      props(d.components.Build).starttime = int(true);
      props(d.components.Build).stoptime = int(true);
    },
  },
  {
    where: 'Build.releasename',
    document: 'not listed',
    hydra: 'a string, or null without nix-support/hydra-release-name',
    code: "Schema/Result/Builds.pm as_json: releasename => $self->get_column('releasename')",
    correct: (d) => {
      props(d.components.Build).releasename = { type: 'string', nullable: true };
    },
  },
  {
    where: 'Build.buildmetrics',
    document: 'one metric {name, value: string, unit}',
    hydra: 'a map from metric name to {value: number, unit: string or null}',
    code:
      'Schema/Result/Builds.pm as_json: buildmetrics => { map { $_->name => $_ } ... }; ' +
      'BuildMetrics.pm json_hint columns value, unit',
    correct: (d) => {
      props(d.components.Build).buildmetrics = {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: { value: { type: 'number' }, unit: { type: 'string', nullable: true } },
        },
      };
    },
  },
  {
    where: 'JobsetEval.hasnewbuilds',
    document: 'boolean',
    hydra: 'the integer column, 0 or 1',
    code:
      'Schema/Result/JobsetEvals.pm json_hint: hasnewbuilds is in columns, ' +
      'not boolean_columns (Component/ToJSON.pm)',
    correct: (d) => {
      props(d.components.JobsetEval).hasnewbuilds = int();
    },
  },
  {
    where: 'JobsetEvalInput.value',
    document: 'type boolean (beside a oneOf)',
    hydra: 'the text column: a string or null',
    code: 'Schema/Result/JobsetEvalInputs.pm json_hint: columns revision, value, type, uri, dependency',
    correct: (d) => {
      props(d.components.JobsetEvalInput).value = { type: 'string', nullable: true };
    },
  },
  {
    where: 'JobsetEvalInput.dependency',
    document: 'string',
    hydra: 'the integer column (a build id), or null',
    code: 'Schema/Result/JobsetEvalInputs.pm: dependency is an integer column, sent by json_hint columns',
    correct: (d) => {
      props(d.components.JobsetEvalInput).dependency = int(true);
    },
  },
  {
    where: 'Jobset.startime',
    document: 'startime',
    hydra: 'starttime',
    code: 'Schema/Result/Jobsets.pm as_json: "starttime" => $self->get_column("starttime")',
    correct: (d) => {
      const p = props(d.components.Jobset);
      delete p.startime;
      p.starttime = int(true);
    },
  },
  {
    where: 'JobsetOverview errortime, lastcheckedtime',
    document: 'integer',
    hydra: 'null before the first error or check',
    code:
      'Controller/API.pm jobsetToHash: errortime => $jobset->errortime, ' +
      'lastcheckedtime => $jobset->lastcheckedtime',
    correct: (d) => {
      const p = props(d.components.JobsetOverview!.items);
      p.errortime = int(true);
      p.lastcheckedtime = int(true);
    },
  },
  {
    where: 'JobsetOverview.nrsucceeded',
    document: 'not listed',
    hydra: 'an integer',
    code: 'Controller/API.pm jobsetToHash: nrsucceeded => $jobset->get_column("nrsucceeded")',
    correct: (d) => {
      props(d.components.JobsetOverview!.items).nrsucceeded = int();
    },
  },
  {
    where: 'GET /jobset/{project-id}/{jobset-id}/evals',
    document: 'an array of Evaluations, whose evals are maps of JobsetEval',
    hydra: 'one object {first, last, previous?, next?, evals: [JobsetEval]}',
    code:
      'Controller/Jobset.pm evals_GET: %entity = (evals => [ map { $_->{eval} } ... ], first, ' +
      'last, previous, next)',
    correct: (d) => {
      const page = (s: Schema): Schema => ({ type: 'string', ...s });
      d.responses['GET /jobset/{project-id}/{jobset-id}/evals'] = {
        type: 'object',
        properties: {
          first: page({}),
          last: page({}),
          previous: page({}),
          next: page({}),
          evals: { type: 'array', items: d.components.JobsetEval },
        },
      };
    },
  },
  {
    where: 'GET /eval/{eval-id}/builds',
    document: 'an array of maps of Build',
    hydra: 'an array of Build',
    code: 'Controller/JobsetEval.pm all_builds: entity => [@builds]',
    correct: (d) => {
      d.responses['GET /eval/{eval-id}/builds'] = { type: 'array', items: d.components.Build };
    },
  },
];

export function correctedDocument(doc: HydraApiDocument, except?: KnownError): HydraApiDocument {
  for (const e of KNOWN_ERRORS) if (e !== except) e.correct(doc);
  return doc;
}
