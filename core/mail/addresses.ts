/**
 * Mail addresses from free text (meta.maintainers, emailoverride, commit authors). Only what
 * is plainly an address is taken: no quotes, spaces or control characters, bounded length,
 * so nothing from a build can become an extra header or recipient list.
 */
const DOMAIN_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?';
const ADDRESS = new RegExp(`[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})+`, 'g');

export function addressesIn(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(ADDRESS)].map((m) => m[0]).filter(isAddress);
}

export function isAddress(text: string): boolean {
  return text.length <= 254 && new RegExp(`^${ADDRESS.source}$`).test(text);
}

/** Addresses once each, compared without case, in the order first seen. */
export function uniqueAddresses(addresses: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const a of addresses) if (!seen.has(a.toLowerCase())) seen.set(a.toLowerCase(), a);
  return [...seen.values()];
}
