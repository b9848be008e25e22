// Builds the bundled nixos/trunk jobs with the real nix-build and checks what hydrant
// will publish: a real screenshot, merged coverage, the outage in the trac log, and
// the driver's message when the broken variant fails. Needs scripts/setup-vm.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';

const jobsetDir = resolve(import.meta.dirname, '../../jobsets/nixos');
const nixOptions = ['--option', 'substituters', '', '--option', 'sandbox', 'false', '--option', 'build-users-group', ''];
const kernelDir = process.env.HYDRANT_VM_KERNEL_DIR ?? '/var/lib/hydrant/vm-kernel';
const skip = existsSync(join(kernelDir, 'vmlinuz')) ? false : `no VM kernel in ${kernelDir}: run scripts/setup-vm.sh`;

interface BuildResult {
  outPath: string;
  buildLog: string;
}

// Deletes the job's previous output first, so every run boots real VMs instead of
// reading a cached result.
function buildFresh(file: string, attribute: string): BuildResult {
  const args = [join(jobsetDir, file), '-A', attribute, '--argstr', 'kernelDir', kernelDir];
  const drvPath = execFileSync('nix-instantiate', [...args, ...nixOptions], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const outputs = execFileSync('nix-store', ['--query', '--outputs', drvPath, ...nixOptions], { encoding: 'utf8' }).trim().split('\n');
  spawnSync('nix-store', ['--delete', ...outputs.filter(existsSync), ...nixOptions], { stdio: 'ignore' });
  const build = spawnSync('nix-build', [...args, '--no-out-link', ...nixOptions], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(build.status, 0, `nix-build ${file} -A ${attribute} failed:\n${build.stderr}`);
  return { outPath: build.stdout.trim().split('\n').pop() ?? '', buildLog: build.stderr };
}

// The network's store path is in every QEMU command line of that test.
function assertNoVmsLeft(networkName: string) {
  const leaked = spawnSync('pgrep', ['-af', `qemu-system.*-vms-${networkName}/`], { encoding: 'utf8' });
  assert.equal(leaked.stdout, '', `QEMU still running for network ${networkName}`);
}

function readProducts(outPath: string): string[] {
  return readFileSync(join(outPath, 'nix-support/hydra-build-products'), 'utf8').trim().split('\n');
}

interface LineTotals {
  found: number;
  hit: number;
}

function lineTotals(infoFile: string): LineTotals {
  let found = 0;
  let hit = 0;
  for (const line of readFileSync(infoFile, 'utf8').split('\n')) {
    if (line.startsWith('LF:')) found += Number(line.slice(3));
    if (line.startsWith('LH:')) hit += Number(line.slice(3));
  }
  return { found, hit };
}

interface DecodedPng {
  width: number;
  height: number;
  distinctPixels: number;
}

// Enough of PNG to tell a real picture from a blank one: IHDR for the size, then
// IDAT inflated and unfiltered row by row to count distinct pixel values.
function decodePng(file: string): DecodedPng {
  const png = readFileSync(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR', 'first chunk is IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png.readUInt8(24);
  const colourType = png.readUInt8(25);
  const channelsByColourType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
  const channels = channelsByColourType[colourType] ?? 0;
  assert.ok(channels > 0, `unknown PNG colour type ${colourType}`);
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('latin1', offset + 4, offset + 8) === 'IDAT') idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bytesPerPixel = Math.max(1, (channels * bitDepth) / 8);
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const distinct = new Set<string>();
  let previous = Buffer.alloc(stride);
  for (let row = 0; row < height; row++) {
    const start = row * (stride + 1);
    const filter = raw.readUInt8(start);
    const line = Buffer.from(raw.subarray(start + 1, start + 1 + stride));
    for (let i = 0; i < stride; i++) {
      const left = i >= bytesPerPixel ? line.readUInt8(i - bytesPerPixel) : 0;
      const up = previous.readUInt8(i);
      const upLeft = i >= bytesPerPixel ? previous.readUInt8(i - bytesPerPixel) : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      assert.ok(predictor !== undefined, `unknown PNG filter ${filter}`);
      line.writeUInt8((line.readUInt8(i) + predictor) & 0xff, i);
    }
    for (let i = 0; i + bytesPerPixel <= stride; i += bytesPerPixel) {
      distinct.add(line.subarray(i, i + bytesPerPixel).toString('hex'));
    }
    previous = line;
  }
  return { width, height, distinctPixels: distinct.size };
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [dl, du, dul] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (dl <= du && dl <= dul) return left;
  return du <= dul ? up : upLeft;
}

test('tests.quake3 captures the client screen as a real PNG', { skip, timeout: 180_000 }, () => {
  const { outPath } = buildFresh('release.nix', 'tests.quake3');
  assert.ok(!existsSync(join(outPath, 'nix-support/failed')), readFileSync(join(outPath, 'log.txt'), 'utf8'));
  assert.ok(readProducts(outPath).includes(`file screenshot ${outPath}/screen.png`));
  const screen = decodePng(join(outPath, 'screen.png'));
  assert.deepEqual([screen.width, screen.height], [720, 400], 'VGA text mode screen');
  assert.ok(screen.distinctPixels >= 3, `screen has only ${screen.distinctPixels} colours`);
  assert.match(readFileSync(join(outPath, 'log.txt'), 'utf8'), /grep -q 'Foo.\*entered the game'.*\(done/);
  assertNoVmsLeft('quake3');
});

test('tests.trac detects the storage outage', { skip, timeout: 180_000 }, () => {
  const { outPath, buildLog } = buildFresh('release.nix', 'tests.trac');
  const log = readFileSync(join(outPath, 'log.txt'), 'utf8');
  assert.ok(!existsSync(join(outPath, 'nix-support/failed')), log);
  assert.match(log, /storage: crashing/);
  assert.match(log, /test: storage: unavailable/);
  assert.match(log, /outage detected/);
  assert.match(buildLog, /outage detected/, 'the Nix build log carries the driver log');
  assert.ok(readProducts(outPath).includes(`report testlog ${outPath} log.txt`));
  assertNoVmsLeft('trac');
});

test('report merges coverage: all machines together cover more than any one', { skip, timeout: 300_000 }, () => {
  const { outPath } = buildFresh('release.nix', 'report');
  const products = readProducts(outPath);
  assert.ok(products.includes(`report coverage ${outPath}/coverage index.html`));
  assert.ok(existsSync(join(outPath, 'coverage/index.html')));
  const merged = lineTotals(join(outPath, 'coverage/coverage.info'));
  const machineInfos = readdirSync(join(outPath, 'coverage/inputs')).filter((name) => name.endsWith('.info'));
  assert.ok(machineInfos.length >= 4, `coverage from ${machineInfos.join(', ')}`);
  for (const info of machineInfos) {
    const alone = lineTotals(join(outPath, 'coverage/inputs', info));
    assert.ok(alone.hit > 0, `${info} has coverage`);
    assert.ok(merged.hit > alone.hit, `merged ${merged.hit} lines hit, ${info} alone ${alone.hit}`);
  }
  assert.match(readFileSync(join(outPath, 'nix-support/hydra-metrics'), 'utf8'), /^lineCoverage [\d.]+ %$/m);
});

test('the broken variant builds but fails with the driver message', { skip, timeout: 180_000 }, () => {
  const { outPath, buildLog } = buildFresh('broken.nix', 'tests.trac');
  assert.ok(existsSync(join(outPath, 'nix-support/failed')), 'nix-support/failed marks "failed with output"');
  const message = /TEST FAILED: webserver: command failed with status 1: tinydb query postgresql 5432 PUT/;
  assert.match(buildLog, message);
  assert.match(buildLog, /ERROR host 192\.168\.1\.3 is not trusted/);
  assert.match(readFileSync(join(outPath, 'log.txt'), 'utf8'), message);
  assertNoVmsLeft('trac');
});
