# hydrant's VM test library: the paper's buildVirtualNetwork / runTests / makeReport
# without nixpkgs. Host tools (QEMU, busybox, lcov, netpbm, vde2, node) come from
# Debian, the kernel from scripts/setup-vm.sh; see README.md.
{ kernelDir ? import ./default-kernel-dir.nix
, system ? "x86_64-linux"
, nonce ? ""
}:
let
  hostDerivation = import ./host-derivation.nix { inherit system nonce; };
  kernel = import ./kernel.nix { inherit kernelDir; };
  baseInitrd = import ./base-initrd.nix { inherit hostDerivation kernel; };
  driver = builtins.path { name = "hydrant-test-driver"; path = ./driver; };
  buildVirtualNetwork = import ./virtual-network.nix { inherit hostDerivation kernel baseInitrd driver; };
in
{
  inherit hostDerivation kernel baseInitrd driver buildVirtualNetwork;
  compileWithCoverage = import ./compile-with-coverage.nix { inherit hostDerivation; };
  runTests = import ./run-tests.nix { inherit hostDerivation driver buildVirtualNetwork; };
  makeReport = import ./make-report.nix { inherit hostDerivation; };
}
