# The jobset "nixos/trunk": the paper's VM tests and their merged coverage report.
#   nix-build release.nix -A tests.trac      (or tests.quake3, report)
# kernelDir is where scripts/setup-vm.sh unpacked the guest kernel (default
# /var/lib/hydrant/vm-kernel, or $HYDRANT_VM_KERNEL_DIR when evaluation is impure).
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
  tests = {
    trac = import ./tests/trac.nix { inherit lib programs; };
    quake3 = import ./tests/quake3.nix { inherit lib programs; };
  };
in
{
  inherit tests;
  report = lib.makeReport { name = "nixos-trunk-coverage"; tests = [ tests.trac tests.quake3 ]; };
}
