#!/usr/bin/env node
// Everything `npm start` and `npm test` need on a fresh Debian machine, done idempotently:
// Debian packages (apt, when root), the VM-test kernel, npm dependencies (when missing or
// stale), and with --build the compiled dist/. Plain Node with no dependencies, because it
// runs before node_modules exists. Fast when there is nothing to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));

/** Debian packages hydrant itself needs at run time. */
const RUNTIME_PACKAGES = ['nix-bin', 'git', 'util-linux', 'bzip2'];
/** Debian packages the test suite needs on top (real sshd, Chromium for browser tests). */
const TEST_PACKAGES = ['openssh-server', 'openssh-client', 'iproute2', 'chromium', 'sqlite3'];

function say(message) {
  process.stderr.write(`setup: ${message}\n`);
}

function run(command, argv, options = {}) {
  const result = spawnSync(command, argv, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    say(`${command} ${argv.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function missingPackages(packages) {
  return packages.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages(packages) {
  const missing = missingPackages(packages);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(`these Debian packages are missing: ${missing.join(' ')}`);
    say(`install them as root:  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    process.exit(1);
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}

function ensureNodeModules() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const want = createHash('sha256').update(lock).update(process.version).digest('hex');
  const stamp = join(root, 'node_modules', '.hydrant-lock-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want);
}

// `npm start` (--build) needs only what hydrant runs on; `npm test` also what the tests drive.
ensureDebianPackages([...RUNTIME_PACKAGES, ...(args.has('--build') ? [] : TEST_PACKAGES)]);
if (existsSync(join(root, 'scripts', 'setup-vm.sh'))) {
  if (process.getuid?.() === 0) run('bash', [join(root, 'scripts', 'setup-vm.sh')]);
  else say('not root: skipping scripts/setup-vm.sh (the VM tests need it; run it once as root)');
}
ensureNodeModules();
if (args.has('--build')) {
  say('compiling TypeScript into dist/');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
}
try {
  execFileSync('nix-store', ['--version'], { stdio: 'ignore' });
} catch {
  say('nix-store is not on PATH even though nix-bin is installed; check PATH');
  process.exit(1);
}
