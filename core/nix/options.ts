/**
 * Options every Nix invocation gets, so hydrant works on Debian's single-user nix-bin
 * without anyone editing /etc/nix/nix.conf: no binary caches (nothing outside this
 * machine is reachable), no sandbox (needs user namespaces we may not have), and no
 * build-users group (Debian's default names a 'nixbld' group that does not exist).
 */
export const NIX_OPTIONS: Readonly<Record<string, string>> = {
  substituters: '',
  sandbox: 'false',
  'build-users-group': '',
};

export function optionFlags(extra: Record<string, string> = {}): string[] {
  return Object.entries({ ...NIX_OPTIONS, ...extra }).flatMap(([name, value]) => ['--option', name, value]);
}

/** The same options for Nix tools that cannot take --option (nix-copy-closure, ssh stores). */
export function nixEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const config = Object.entries(NIX_OPTIONS)
    .map(([name, value]) => `${name} = ${value}`)
    .join('\n');
  return { ...base, NIX_CONFIG: base.NIX_CONFIG ? `${base.NIX_CONFIG}\n${config}` : config };
}
