#!/bin/sh
# PID 1 of every test VM. The machine's identity comes from the kernel command line
# (hydrant.hostname, hydrant.ip) so all machines of a network share one base initrd;
# what differs per machine lives in the overlay archive under /etc/machine.
export PATH=/bin
export HOME=/root
# Programs under test are built with --coverage and carry absolute store paths for
# their .gcda files; redirect them to a writable tree the driver collects at the end.
export GCOV_PREFIX=/gcov

mkdir -p /proc /sys /dev /tmp /run/units /var/log /gcov /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

for module in $(cat /lib/modules/load-order); do
  insmod "/lib/modules/$module.ko" || echo "init: insmod $module failed" >/dev/console
done

for word in $(cat /proc/cmdline); do
  case "$word" in
    hydrant.hostname=*) hostname "${word#*=}" ;;
    hydrant.ip=*) ip_address="${word#*=}" ;;
  esac
done

ip link set lo up
if [ -n "$ip_address" ]; then
  ip addr add "$ip_address/24" dev eth0
  ip link set eth0 up
fi

[ -x /etc/machine/setup ] && /etc/machine/setup >/var/log/setup.log 2>&1

# A unit is a long-running command; its pid file is how the driver's waitForUnit
# tells "not started yet" from "started and died".
if [ -d /etc/machine/units ]; then
  for unit in /etc/machine/units/*; do
    name="${unit##*/}"
    setsid sh "$unit" </dev/null >"/var/log/$name.log" 2>&1 &
    echo $! >"/run/units/$name.pid"
  done
fi

# The driver channel stays in the foreground: if it ever exits, the machine is useless
# to the test, so power off rather than hang.
/bin/backdoor
poweroff -f
