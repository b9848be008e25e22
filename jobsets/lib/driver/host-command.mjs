import { spawn } from 'node:child_process';

export function runHostCommand(shellCommand) {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', shellCommand], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`host command failed (${code}): ${shellCommand}\n${errors}`)),
    );
  });
}
