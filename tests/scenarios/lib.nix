# Helpers for the scenario expressions: /bin/sh derivations for this machine's system. The
# nonce (a string input the scenario runner sets) makes every derivation new, so no result
# comes from an earlier run's /nix/store.
{ nonce }:
rec {
  jobWith = name: attrs: script: derivation ({
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" "# ${nonce}\n${script}" ];
  } // attrs);
  job = name: script: jobWith name { } script;
  withMeta = meta: drv: drv // { inherit meta; };
}
