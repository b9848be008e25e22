# Where scripts/setup-vm.sh puts the guest kernel, with the same override.
let fromEnvironment = builtins.getEnv "HYDRANT_VM_KERNEL_DIR";
in if fromEnvironment != "" then fromEnvironment else "/var/lib/hydrant/vm-kernel"
