// Routing rules of the pool, on machines-file lines: which machine may take a step, and
// which of those does.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { createLogger } from '../../core/log.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import { MachinePool } from '../../queue-runner/machine-pool.ts';
import { tempDir } from '../helpers/temp.ts';

function pool(lines: string[]): MachinePool {
  const dir = tempDir();
  const file = join(dir, 'machines');
  writeFileSync(file, lines.join('\n'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  migrate(db);
  const p = new MachinePool(db, new CliNix(), createLogger('silent'), file, []);
  p.reload();
  return p;
}

const byName = (p: MachinePool, name: string) => p.all().find((m) => m.spec.name === name)!;

test('least loaded relative to speed factor, never beyond MAXJOBS, never while backing off', () => {
  const p = pool(['fast x86_64-linux - 4 4', 'slow x86_64-linux - 2 1']);
  const step = { system: 'x86_64-linux', requiredFeatures: [] };
  const now = Date.now();
  assert.equal(p.pick(step, now)!.spec.name, 'fast', 'a tie goes to the first listed');
  byName(p, 'fast').running = 3;
  assert.equal(p.pick(step, now)!.spec.name, 'slow', '3/4 is more loaded than 0/1');
  byName(p, 'slow').running = 1;
  assert.equal(p.pick(step, now)!.spec.name, 'fast', '3/4 is less loaded than 1/1');
  byName(p, 'fast').running = 4;
  assert.equal(p.pick(step, now)!.spec.name, 'slow', 'fast is full');
  byName(p, 'slow').running = 2;
  assert.equal(p.pick(step, now), null, 'both full: the step waits');
  byName(p, 'slow').running = 0;
  byName(p, 'slow').disabledUntil = now + 60_000;
  assert.equal(p.pick(step, now), null, 'a machine backing off gets no work');
});

test('systems, supported features and mandatory features decide which machines may build a step', () => {
  const p = pool(['plain x86_64-linux - 1 1 big-parallel', 'vm i686-linux,x86_64-linux - 1 1 kvm kvm']);
  const pick = (system: string, requiredFeatures: string[]) =>
    p.pick({ system, requiredFeatures }, Date.now())?.spec.name ?? null;
  assert.equal(pick('x86_64-linux', []), 'plain', 'steps without kvm stay off the machine where kvm is mandatory');
  assert.equal(pick('x86_64-linux', ['big-parallel']), 'plain');
  assert.equal(pick('x86_64-linux', ['kvm']), 'vm');
  assert.equal(pick('i686-linux', ['kvm']), 'vm');
  assert.equal(pick('i686-linux', []), null);
  assert.equal(pick('x86_64-linux', ['kvm', 'big-parallel']), null, 'no machine has both');
  assert.equal(p.anySupports({ system: 'aarch64-linux', requiredFeatures: [] }), false);
});
