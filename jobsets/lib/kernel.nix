# The guest kernel is a Debian cloud kernel unpacked by scripts/setup-vm.sh; it is
# imported into the store so that a kernel update changes every test's hash.
{ kernelDir }:
if !(builtins.pathExists "${kernelDir}/vmlinuz") then
  throw ''
    hydrant VM tests: no guest kernel in ${kernelDir}.
    Run `bash scripts/setup-vm.sh` as root (or pass kernelDir / set HYDRANT_VM_KERNEL_DIR to where it put one).''
else
  builtins.path {
    name = "vm-kernel";
    path = kernelDir;
    # A stray nix-build result link inside the directory must not change the hash.
    filter = path: type: !(builtins.match "result.*" (baseNameOf path) != null && type == "symlink");
  }
