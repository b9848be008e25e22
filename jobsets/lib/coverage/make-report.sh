report=$out/coverage
# The machines' own tracefiles stay outside the report directory and are listed as
# `file lcov-input`, not `file lcov`: a reader that merges every lcov product of the build
# (hydrant, or lcov -a over the directory) would otherwise count every hit twice.
inputs=$out/coverage-inputs
mkdir -p "$report" "$inputs" "$out/nix-support"
tracefiles=
for test in $tests; do
  testName=$(basename "$test" | sed 's/^[a-z0-9]*-vm-test-//')
  for info in "$test"/coverage/*.info; do
    [ -f "$info" ] || continue
    copy="$inputs/$testName-$(basename "$info")"
    cp "$info" "$copy"
    # lcov -a keeps one record per test name; one name for all gives one record per
    # source file, the merged view this report is for ($inputs keeps the machines').
    unnamed="$PWD/$testName-$(basename "$info")"
    sed 's/^TN:.*/TN:/' "$info" >"$unnamed"
    tracefiles="$tracefiles --add-tracefile $unnamed"
  done
  [ -f "$test/nix-support/failed" ] && echo "note: $test failed; its coverage is still included" >&2
done
if [ -z "$tracefiles" ]; then
  echo "makeReport: none of the tests produced coverage data" >&2
  exit 1
fi

quietLcov() {
  "$@" 2>&1 | grep -v 'Subroutine .* redefined' || true
}
quietLcov lcov --quiet $tracefiles --output-file "$report/coverage.info" >&2
quietLcov genhtml --quiet --output-directory "$report" --title "$name" "$report/coverage.info" >&2

products=$out/nix-support/hydra-build-products
echo "report coverage $report index.html" >>"$products"
echo "file lcov $report/coverage.info" >>"$products"
for info in "$inputs"/*.info; do
  echo "file lcov-input $info" >>"$products"
done

summary=$(lcov --summary "$report/coverage.info" 2>&1)
percentOf() { echo "$summary" | sed -n "s/^ *$1\.*: \([0-9.]*\)%.*/\1/p"; }
echo "lineCoverage $(percentOf lines) %" >>"$out/nix-support/hydra-metrics"
echo "functionCoverage $(percentOf functions) %" >>"$out/nix-support/hydra-metrics"
