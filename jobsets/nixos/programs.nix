# The programs under test, built with coverage instrumentation.
{ lib }:
let
  source = builtins.path {
    name = "nixos-example-programs";
    path = ./programs;
    filter = path: type: builtins.match ".*\\.[ch]" (baseNameOf path) != null;
  };
in
{
  tinydb = lib.compileWithCoverage { name = "tinydb"; src = source; sources = [ "tinydb.c" "net.c" ]; };
  arena = lib.compileWithCoverage { name = "arena"; src = source; sources = [ "arena.c" "net.c" ]; };
}
