# How a failure travels: to the jobs that need it, not to the jobs beside it.
{ nonce ? "", ... }:
let
  inherit (import ./lib.nix { inherit nonce; }) job;
  base = job "base" "echo base > $out";
  broken = job "broken" "echo 'error: this build is broken' >&2; exit 1";
  failedWithOutput = job "failed-with-output" "mkdir -p $out/nix-support; touch $out/nix-support/failed";
in {
  inherit base broken failedWithOutput;
  onBase = job "on-base" "cat ${base} > $out";
  onBroken = job "on-broken" "cat ${broken} > $out";
  # Two levels down still names the first failure as its cause.
  onOnBroken = job "on-on-broken" "cat ${job "middle" "cat ${broken} > $out"} > $out";
  # A dependent of a failed-with-output build still builds: the output it needs exists.
  onFailedWithOutput = job "on-failed-with-output" "ls ${failedWithOutput}/nix-support > $out";
  throws = throw "this job cannot be evaluated";
  tests.nested = job "nested" "echo nested > $out";
}
