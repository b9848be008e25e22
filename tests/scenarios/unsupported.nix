# Steps no machine can take: another system, or a feature no machine declares.
{ nonce ? "", ... }:
let inherit (import ./lib.nix { inherit nonce; }) job jobWith; in {
  here = job "here" "echo here > $out";
  otherSystem = jobWith "other-system" { system = "riscv64-linux"; } "echo > $out";
  missingFeature = jobWith "missing-feature" { requiredSystemFeatures = [ "gpu-with-wings" ]; } "echo > $out";
  onOtherSystem = job "on-other-system" "cat ${jobWith "dep-other-system" { system = "riscv64-linux"; } "echo > $out"} > $out";
}
