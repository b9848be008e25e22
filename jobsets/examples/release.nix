# Example jobs for hydrant: plain derivations with /bin/sh as the builder, no nixpkgs.
{ system ? builtins.currentSystem }:
let
  job = name: script: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
  };
in
{
  # Succeeds and publishes a file product, a metric and a release name.
  hello = job "hello-1.0" ''
    echo "building hello"
    mkdir -p $out/nix-support
    echo "Hello from hydrant" > $out/hello.txt
    echo "file doc $out/hello.txt" >> $out/nix-support/hydra-build-products
    echo "lines 1" >> $out/nix-support/hydra-metrics
    echo "hello-1.0" > $out/nix-support/hydra-release-name
  '';

  # Fails, so the pages show what a failure looks like.
  broken = job "broken" ''
    echo "this job fails on purpose"
    exit 1
  '';

  # Nested attribute sets become dotted job names.
  tests.greeting = job "greeting" ''
    echo "hello, tests" > $out
  '';
}
