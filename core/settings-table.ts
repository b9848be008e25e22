import { SETTINGS } from './settings.ts';

/** The README's configuration table, made from SETTINGS so the two cannot drift apart. */
export function settingsMarkdownTable(): string {
  const rows = Object.values(SETTINGS).map((s) =>
    `| \`${s.flag}\` | \`${s.env}\` | ${s.default ? `\`${s.default}\`` : '—'} | ${s.help.replace(/\|/g, '\\|')} |`);
  return ['| Flag | Environment | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
