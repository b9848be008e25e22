# A C program built for coverage analysis (the paper's addCoverageInstrumentation):
# static, so it runs in the busybox guests, and -O0 so lines map to code. The .gcno
# notes stay in $out/obj, where the runtime .gcda files are named after them.
{ hostDerivation }:
{ name, src, sources }:
hostDerivation {
  inherit name sources;
  # Programs sharing sources should share one store path for them, or lcov would
  # see two different copies of the shared files; so an imported src is kept as is.
  src = if builtins.isPath src then builtins.path { name = "${name}-source"; path = src; } else src;
  builderScript = ./compile-with-coverage.sh;
}
