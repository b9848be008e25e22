import { SETTINGS } from './settings.ts';

/** The README's configuration table, made from SETTINGS so the two cannot drift apart. */
export function settingsMarkdownTable(): string {
  const rows = Object.values(SETTINGS).map(
    (s) =>
      `| \`${s.flag}\` | \`${s.env}\` | ${s.default ? `\`${s.default}\`` : '—'} | ${s.help.replace(/\|/g, '\\|')} |`,
  );
  return ['| Flag | Environment | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const SECTION = /(<!-- settings:begin -->\n)[\s\S]*?(\n<!-- settings:end -->)/;

/** The README with its settings section replaced by the table; throws when the markers are missing. */
export function withSettingsTable(readme: string): string {
  if (!SECTION.test(readme))
    throw new Error('README.md has no <!-- settings:begin --> ... <!-- settings:end --> section');
  return readme.replace(SECTION, (_all, begin: string, end: string) => `${begin}${settingsMarkdownTable()}${end}`);
}
