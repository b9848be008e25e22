mkdir -p "$out/nix-support"
status=0
/usr/bin/node "$driver/run-test.mjs" "$vms/network.json" "$testScriptPath" "$out" "$timeoutSeconds" || status=$?
case $status in
  0) ;;
  1) echo "the test failed; see $out/log.txt" >"$out/nix-support/failed" ;;
  *) echo "the test driver could not run (status $status)" >&2; exit "$status" ;;
esac
/bin/sh -e "$collectCoverage" "$out"
