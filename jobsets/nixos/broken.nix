# A deliberately broken variant of the trac test, kept out of release.nix's job set:
# the database trusts the wrong machine, so the webserver's first query is refused
# and the test fails with the driver's message. Used by the tests of hydrant itself
# (a job that builds but is "failed with output").
#   nix-build broken.nix -A tests.trac
{ kernelDir ? import ../lib/default-kernel-dir.nix
, system ? "x86_64-linux"
  # Any text: it goes into every derivation, so a run can build them afresh whatever this
  # machine's store already holds (hydrant's own tests pass a random one as a string input).
, nonce ? ""
  # Hydra-style evaluators may pass every jobset input (src, ...) as an argument.
, ...
}:
let
  lib = import ../lib { inherit kernelDir system nonce; };
  programs = import ./programs.nix { inherit lib; };
in
{
  tests.trac = import ./tests/trac.nix { inherit lib programs; databaseTrusts = "storage"; };
}
