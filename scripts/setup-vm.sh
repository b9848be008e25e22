#!/usr/bin/env bash
# Prepares this machine for hydrant's VM tests (jobsets/nixos): the host tools the
# test driver calls and a Debian cloud kernel unpacked into a plain directory.
#
# Contract (relied on by scripts/setup.mjs and jobsets/lib):
#   - idempotent, needs root for apt-get only when something is missing;
#   - fills ${HYDRANT_VM_KERNEL_DIR:-/var/lib/hydrant/vm-kernel} with
#       vmlinuz                       the kernel image
#       modules/*.ko                  the virtio network/block modules, uncompressed
#       VERSION                       the kernel package name it came from
#   - exits 0 without network access once that directory is complete.
#
# The kernel is unpacked rather than installed because installing a linux-image
# package pulls initramfs-tools/udev and upgrades the host's systemd packages.
set -euo pipefail

kernel_dir=${HYDRANT_VM_KERNEL_DIR:-/var/lib/hydrant/vm-kernel}
host_packages=(qemu-system-x86 busybox-static lcov netpbm vde2)
# insmod order (the unpacked package has no modules.dep); each one needs the previous ones.
virtio_modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
                failover net_failover virtio_net virtio_blk)

missing_packages=()
for package in "${host_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing_packages+=("$package")
done
if ((${#missing_packages[@]})); then
  echo "setup-vm: installing ${missing_packages[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
fi

kernel_is_complete() {
  [[ -s $kernel_dir/vmlinuz && -s $kernel_dir/VERSION ]] || return 1
  local module
  for module in "${virtio_modules[@]}"; do
    [[ -s $kernel_dir/modules/$module.ko ]] || return 1
  done
}

if kernel_is_complete; then
  exit 0
fi

kernel_package=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
  | awk '/Depends: linux-image-[0-9].*-cloud-amd64/ { print $2; exit }')
if [[ -z $kernel_package ]]; then
  apt-get update -qq
  kernel_package=$(apt-cache depends linux-image-cloud-amd64 \
    | awk '/Depends: linux-image-[0-9].*-cloud-amd64/ { print $2; exit }')
fi
[[ -n $kernel_package ]] || { echo "setup-vm: cannot find linux-image-*-cloud-amd64" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt-get download drops privileges to _apt, which must be able to write here.
chown _apt "$work" 2>/dev/null || true
echo "setup-vm: unpacking $kernel_package into $kernel_dir" >&2
(cd "$work" && apt-get download -qq "$kernel_package")
dpkg-deb -x "$work"/"$kernel_package"_*.deb "$work/root"

staging=$kernel_dir.new
rm -rf "$staging"
mkdir -p "$staging/modules"
cp "$work"/root/boot/vmlinuz-* "$staging/vmlinuz"
for module in "${virtio_modules[@]}"; do
  found=$(find "$work/root/lib/modules" -name "$module.ko*" | head -n1)
  [[ -n $found ]] || { echo "setup-vm: module $module not in $kernel_package" >&2; exit 1; }
  case $found in
    *.ko.xz) xz -dc "$found" >"$staging/modules/$module.ko" ;;
    *.ko.zst) zstd -qdc "$found" >"$staging/modules/$module.ko" ;;
    *) cp "$found" "$staging/modules/$module.ko" ;;
  esac
done
echo "$kernel_package" >"$staging/VERSION"
# Swap in whole so a concurrent evaluation never imports a half-written kernel.
rm -rf "$kernel_dir"
mkdir -p "$(dirname "$kernel_dir")"
mv "$staging" "$kernel_dir"
echo "setup-vm: kernel ready in $kernel_dir" >&2
