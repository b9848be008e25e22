/** Nix colours its messages for terminals; on a page the escape codes are only noise. */
export function withoutTerminalCodes(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1B\[[0-9;?]*[A-Za-z]/g, '');
}
