import { SETTINGS } from '../core/settings.ts';

const COMMANDS: [string, string][] = [
  [
    'start',
    'Run every role (evaluator, queue runner, notifier, web server), one process each, restarted ' +
      'when it dies. The default.',
  ],
  ['server', 'Run only the web server and JSON API.'],
  ['evaluator', 'Run only the evaluator: sync jobset specs, poll inputs, evaluate, queue builds.'],
  ['queue-runner', 'Run only the queue runner: build queued builds and record the results.'],
  ['notifier', 'Run only the notifier: mail regressions and fixes (--smtp-url), call webhooks, from the outbox.'],
  [
    'user add NAME',
    'Create a user or replace its password (read from stdin) and roles: --role ROLE, --member PROJECT.',
  ],
  ['migrate', 'Create or upgrade the database schema, then exit.'],
  ['help', 'Show this text.'],
];

export function helpText(): string {
  const width = Math.max(...Object.values(SETTINGS).map((s) => `${s.flag} VALUE`.length));
  const lines = [
    'hydrant — continuous integration for Nix builds and VM tests, in the style of Hydra',
    '',
    'Usage: hydrant COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...COMMANDS.map(([name, text]) => `  ${name.padEnd(16)}${text}`),
    '',
    'Options (each also read from its environment variable; flags win):',
    ...Object.values(SETTINGS).map(
      (s) =>
        `  ${`${s.flag} VALUE`.padEnd(width + 2)}${s.help}\n` +
        `  ${''.padEnd(width + 2)}env ${s.env}${s.default ? `, default ${s.default}` : ''}`,
    ),
    '',
    'Every role can run as its own process against the same database file.',
  ];
  return lines.join('\n');
}
