# makeReport { name; tests; } -> the coverage of every machine of every test merged
# into one lcov tracefile and a genhtml report (the paper's distributed coverage).
{ hostDerivation }:
{ name ? "coverage-report", tests }:
hostDerivation {
  inherit name;
  builderScript = ./coverage/make-report.sh;
  inherit tests;
}
