root=$PWD/root
mkdir -p "$root/bin" "$root/lib/modules" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
for module in $moduleLoadOrder; do
  cp "$kernel/modules/$module.ko" "$root/lib/modules/"
done
echo "$moduleLoadOrder" >"$root/lib/modules/load-order"
cp "$init" "$root/init"
cp "$backdoor" "$root/bin/backdoor"
chmod 755 "$root/init" "$root/bin/backdoor"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
cd "$root"
find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$out"
