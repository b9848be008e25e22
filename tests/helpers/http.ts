/** GET with optional JSON; does not follow redirects so tests can assert them. */
export async function get(
  url: string,
  options: { json?: boolean } = {},
): Promise<{ status: number; text: string; headers: Headers; json: () => unknown }> {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: options.json ? { Accept: 'application/json' } : { Accept: 'text/html' },
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
}
