# What every machine shares: static busybox, the virtio modules, /init and the
# driver's shell. Per-machine parts go into a second archive (virtual-network.nix).
{ hostDerivation, kernel }:
hostDerivation {
  name = "vm-base-initrd.gz";
  builderScript = ./build-base-initrd.sh;
  inherit kernel;
  init = ./guest/init.sh;
  backdoor = ./guest/backdoor.sh;
  # insmod order: the unpacked kernel package has no modules.dep.
  moduleLoadOrder = "virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net virtio_blk";
}
