// Scenario tests as fixture pairs (DESIGN.md): NAME.nix is a jobset expression, NAME.json
// the Hydra status every job must end with (and the jobs that must fail to evaluate).
// Each runs through the real evaluator and queue runner on a fresh database.
//   { "flags": [queue runner flags], "statuses": { "job": status }, "evalErrors": ["job"] }
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { createLogger } from '../../core/log.ts';
import { statusLabel } from '../../core/model/status.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { evaluatorFixture } from '../helpers/evaluator-fixture.ts';
import { newestEvalId } from '../helpers/db.ts';
import { evalJobStates } from '../../core/db/eval-pages.ts';
import { evalErrors } from '../../core/db/evals.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

interface Expected {
  flags?: string[];
  statuses: Record<string, number>;
  evalErrors?: string[];
}

for (const file of readdirSync(HERE)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const name = file.slice(0, -'.json'.length);
  const expected = JSON.parse(readFileSync(join(HERE, file), 'utf8')) as Expected;
  test(`scenario ${name}: ${Object.keys(expected.statuses).length} jobs end as ${name}.json says`, async () => {
    const f = evaluatorFixture(['--allowed-paths', HERE]); // the path input is this directory
    f.writeSpec('scenario', {
      jobsets: {
        [name]: {
          nixexprinput: 'src',
          nixexprpath: `${name}.nix`,
          checkinterval: 0,
          inputs: { src: { type: 'path', value: HERE }, nonce: { type: 'string', value: randomUUID() } },
        },
      },
    });
    f.sync();
    triggerEvaluation(f.db, getJobset(f.db, 'scenario', name)!.id);
    const [outcome] = await f.evaluator.runOnce();
    assert.equal(outcome?.kind, 'evaluated', JSON.stringify(outcome));
    const { config } = readConfig(
      [
        '--state-dir',
        join(f.dir, 'state'),
        '--gc-roots-dir',
        join(f.dir, 'gcroots'),
        '--retry-interval',
        '0',
        '--unsupported-wait',
        '0',
        ...(expected.flags ?? []),
      ],
      {},
    );
    const runner = createQueueRunner(config, { db: f.db, log: createLogger('silent') });
    await runner.runOnce();
    await runner.stop();

    const evalId = newestEvalId(f.db)!;
    const rows = evalJobStates(f.db, evalId);
    // Names beside numbers, so a failure reads "tooBig: Output limit exceeded (11)".
    const show = (statuses: Record<string, number | null>) =>
      Object.fromEntries(
        Object.entries(statuses)
          .sort()
          .map(([job, s]) => [job, `${statusLabel(s !== null, s)} (${s ?? '-'})`]),
      );
    assert.deepEqual(
      show(Object.fromEntries(rows.map((r) => [r.job, r.finished ? r.buildstatus : null]))),
      show(expected.statuses),
    );
    const errors = evalErrors(f.db, evalId).map((r) => r.job);
    assert.deepEqual(errors, [...(expected.evalErrors ?? [])].sort());
  });
}
