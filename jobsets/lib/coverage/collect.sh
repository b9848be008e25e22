# Turns the .gcda trees the driver pulled from each machine ($1/coverage-data/MACHINE,
# mirroring the guest's /gcov) into one lcov tracefile per machine.
# gcov needs each .gcda next to its .gcno; the .gcno stays in the program's store
# path, which the .gcda's own path names.
out=$1
data=$out/coverage-data
[ -d "$data" ] || exit 0
mkdir -p "$out/coverage"
for machineDir in "$data"/*/; do
  machine=$(basename "$machineDir")
  gcdaFiles=$(find "$machineDir" -name '*.gcda')
  if [ -z "$gcdaFiles" ]; then
    continue
  fi
  for gcda in $gcdaFiles; do
    storeGcno=${gcda#"${machineDir%/}"}
    cp "${storeGcno%.gcda}.gcno" "${gcda%.gcda}.gcno"
  done
  # geninfo (lcov 1.16) leaves out the LF/LH totals; a pass through lcov -a adds them.
  captured=$PWD/$machine.captured.info
  lcov --quiet --capture --directory "$machineDir" --test-name "$machine" \
    --output-file "$captured" 2>&1 | grep -v 'Subroutine .* redefined' >&2 || true
  lcov --quiet --add-tracefile "$captured" --output-file "$out/coverage/$machine.info" 2>&1 \
    | grep -v 'Subroutine .* redefined' >&2 || true
  find "$machineDir" -name '*.gcno' -delete
  [ -s "$out/coverage/$machine.info" ] || { echo "lcov produced nothing for $machine" >&2; exit 1; }
  echo "file lcov $out/coverage/$machine.info" >>"$out/nix-support/hydra-build-products"
done
