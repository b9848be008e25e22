# Without nixpkgs there is no stdenv: builders are /bin/sh scripts using the host's
# Debian tools, which is why every build here runs with sandbox = false.
{ system }:
{ name, builderScript, ... }@attrs:
derivation (builtins.removeAttrs attrs [ "builderScript" ] // {
  inherit name system;
  builder = "/bin/sh";
  args = [ "-e" builderScript ];
  PATH = "/usr/bin:/bin";
})
