# Without nixpkgs there is no stdenv: builders are /bin/sh scripts using the host's
# Debian tools, which is why every build here runs with sandbox = false.
{ system, nonce ? "" }:
{ name, builderScript, ... }@attrs:
derivation (builtins.removeAttrs attrs [ "builderScript" ] // {
  inherit name system;
} // (if nonce == "" then { } else { inherit nonce; }) // {
  builder = "/bin/sh";
  args = [ "-e" builderScript ];
  PATH = "/usr/bin:/bin";
})
