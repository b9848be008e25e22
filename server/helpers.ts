import type Handlebars from 'handlebars';

/** Human durations: 42s, 3m 5s, 2h 4m. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

// At module level: a closure inside relativeTime would be created for each of the hundred times a page of builds shows.
const unitsAgo = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'} ago`;

/** "3 minutes ago" relative to `nowSeconds`; the absolute time goes in a title attribute. */
export function relativeTime(unixSeconds: number | null | undefined, nowSeconds = Date.now() / 1000): string {
  if (!unixSeconds) return '';
  const d = Math.round(nowSeconds - unixSeconds);
  if (d < 0) return 'in the future';
  if (d < 10) return 'just now';
  if (d < 60) return `${d} seconds ago`;
  if (d < 3600) return unitsAgo(Math.floor(d / 60), 'minute');
  if (d < 86400) return unitsAgo(Math.floor(d / 3600), 'hour');
  return unitsAgo(Math.floor(d / 86400), 'day');
}

export function isoTime(unixSeconds: number | null | undefined): string {
  return unixSeconds ? new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z') : '';
}

export function humanBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('duration', (s: number | null) => humanDuration(s));
  hbs.registerHelper('ago', (t: number | null) => relativeTime(t));
  hbs.registerHelper('iso', (t: number | null) => isoTime(t));
  hbs.registerHelper('bytes', (n: number | null) => humanBytes(n));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('gt', (a: number, b: number) => a > b);
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  // encodeURIComponent per path segment; Handlebars still HTML-escapes the result.
  hbs.registerHelper('seg', (v: unknown) => encodeURIComponent(String(v ?? '')));
}
