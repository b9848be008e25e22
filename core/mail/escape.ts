/** Text for an HTML element or attribute: everything that could open markup is an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A value safe in one mail header line: every control character (CR and LF above all,
 * which would start a header of their own) becomes a space, and the length is bounded.
 */
export function headerValue(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Text for the plain part: control characters other than newline and tab dropped, length bounded. */
export function plainText(text: string, max = 4000): string {
  // Terminal colour codes (Nix colours its messages) go first, whole, not just their ESC.
  /* eslint-disable no-control-regex */
  const clean = text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  /* eslint-enable no-control-regex */
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A dot-atom for List-Id: letters, digits and dashes only. */
export function listIdPart(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'x'
  );
}
