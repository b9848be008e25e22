# runTests vms script -> a derivation that boots the network, runs the JavaScript
# test script (see README.md for the driver API), collects coverage from every
# machine still running at the end and writes Hydra build products.
#
# A failing test does not fail the build: the output (log, screenshots, coverage)
# is still produced and nix-support/failed marks it, which Hydra reports as
# "failed with output" (status 6). Only a broken driver fails the build itself.
{ hostDerivation, driver, buildVirtualNetwork }:
vmsOrNetwork: script:
let
  vms = if vmsOrNetwork.type or null == "derivation" then vmsOrNetwork
    else buildVirtualNetwork { network = vmsOrNetwork; };
in
hostDerivation {
  name = "vm-test-${vms.networkName}";
  testName = vms.networkName;
  builderScript = ./run-tests.sh;
  collectCoverage = ./coverage/collect.sh;
  inherit vms driver;
  testScript = script;
  passAsFile = [ "testScript" ];
  timeoutSeconds = "120";
  # Lets a machines file keep VM tests off builders that cannot run QEMU.
  requiredSystemFeatures = [ "nixos-test" ];
}
