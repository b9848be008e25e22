import type { ChannelBuild } from '../core/db/channels.ts';

/** A Nix string literal (Hydra's Helper/Escape.pm escapeString): `\`, `"` and `$` escaped. */
export const nixString = (s: string) => `"${s.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
const attrPath = (job: string) => job.split('.').map(nixString).join('.');

const PRELUDE = `{ system ? builtins.currentSystem }:

let

  maybeStorePath = if builtins ? langVersion && builtins.lessThan 1 builtins.langVersion
    then builtins.storePath
    else x: x;

  mkFakeDerivation = attrs: outputs:
    let
      outputNames = builtins.attrNames outputs;
      common = attrs // outputsSet //
        { type = "derivation";
          outputs = outputNames;
          all = outputsList;
        };
      outputToAttrListElement = outputName:
        { name = outputName;
          value = common // {
            inherit outputName;
            outPath = maybeStorePath (builtins.getAttr outputName outputs);
          };
        };
      outputsList = map outputToAttrListElement outputNames;
      outputsSet = builtins.listToAttrs outputsList;
    in outputsSet;

in

`;

/**
 * The channel's `default.nix`, as Hydra's View/NixExprs.pm writes it: per system, one fake
 * derivation per job pointing at the build's outputs (fetched from this server's binary
 * cache), and `recurseForDerivations` on every attribute set above a nested job, so
 * `nix-env -qa` finds them. Systems and jobs are sorted so that the file is stable.
 */
export function channelExpression(builds: ChannelBuild[]): string {
  const bySystem = new Map<string, Map<string, ChannelBuild>>();
  for (const b of builds) {
    // A build whose outputs are all gone from the database has nothing to point at (Hydra skips it too).
    if (!Object.keys(b.outputs).length) continue;
    const jobs = bySystem.get(b.system) ?? new Map<string, ChannelBuild>();
    jobs.set(b.job, b);
    bySystem.set(b.system, jobs);
  }
  let res = PRELUDE;
  const systems = [...bySystem.keys()].sort();
  for (const [i, system] of systems.entries()) {
    res += `${i ? 'else ' : ''}if system == ${nixString(system)} then {\n\n`;
    const parents = new Set<string>();
    const jobs = bySystem.get(system)!;
    for (const job of [...jobs.keys()].sort()) {
      const b = jobs.get(job)!;
      const parts = job.split('.');
      for (let n = 1; n < parts.length; n++) parents.add(parts.slice(0, n).join('.'));
      const names = Object.keys(b.outputs).sort();
      res += `  # hydrant build ${b.id}\n  ${attrPath(job)} = (mkFakeDerivation {\n    type = "derivation";\n`;
      res += `    name = ${nixString(b.releasename || b.nixname || job)};\n`;
      res += `    system = ${nixString(b.system)};\n    meta = {\n`;
      if (b.description) res += `      description = ${nixString(b.description)};\n`;
      if (b.license) res += `      license = ${nixString(b.license)};\n`;
      if (b.maintainers) res += `      maintainers = ${nixString(b.maintainers)};\n`;
      res += '    };\n  } {\n';
      for (const name of names) res += `    ${nixString(name)} = ${nixString(b.outputs[name]!)};\n`;
      res += `  }).${nixString(names.includes('out') ? 'out' : names[0]!)};\n\n`;
    }
    for (const parent of [...parents].sort((a, b) => a.length - b.length))
      res += `  ${attrPath(parent)}.recurseForDerivations = true;\n\n`;
    res += '}\n\n';
  }
  return `${res}${systems.length ? 'else ' : ''}{}\n`;
}
