# Every limit a build can hit, each ending with its own Hydra status. As in Hydra, a build
# whose dependency hit a limit ends with that limit's status, not "dependency failed".
{ nonce ? "", ... }:
let
  inherit (import ./lib.nix { inherit nonce; }) job withMeta;
  tooSlow = withMeta { timeout = 1; } (job "too-slow" "sleep 30; echo > $out");
in {
  inherit tooSlow;
  withinLimits = job "within-limits" "echo fine > $out";
  tooQuiet = withMeta { maxSilent = 1; } (job "too-quiet" "echo starting; sleep 30; echo > $out");
  tooChatty = job "too-chatty" "i=0; while [ $i -lt 2000 ]; do echo line $i of a chatty build; i=$((i+1)); done; echo > $out";
  tooBig = job "too-big" "head -c 50000 /dev/zero > $out";
  onTooSlow = job "on-too-slow" "cat ${tooSlow} > $out";
}
