import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Unsubscribe links work without logging in: the link names the address and the project
 * and carries an HMAC of both with the installation's secret, so nobody can unsubscribe
 * someone else by guessing a URL.
 */
export function unsubscribeToken(secret: string, address: string, project: string): string {
  return createHmac('sha256', secret).update(`unsubscribe\n${address.toLowerCase()}\n${project}`).digest('base64url');
}

export function validUnsubscribeToken(secret: string, address: string, project: string, token: string): boolean {
  const expected = Buffer.from(unsubscribeToken(secret, address, project));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function unsubscribeUrl(baseUrl: string, secret: string, address: string, project: string): string {
  const q = new URLSearchParams({ address, project, token: unsubscribeToken(secret, address, project) });
  return `${baseUrl}/unsubscribe?${q.toString()}`;
}
