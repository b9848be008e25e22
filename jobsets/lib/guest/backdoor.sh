#!/bin/sh
# Root shell for the test driver on the second serial port (host side: a unix socket
# the driver listens on). One base64 command per line in, one line out:
#   hydrant-result RC BASE64(stdout+stderr)
# base64 keeps arbitrary output on a single line of a raw tty.
port=/dev/ttyS1
stty -F "$port" raw -echo
exec 3<>"$port"
echo "hydrant-ready $(hostname)" >&3
while read -r request <&3; do
  echo "$request" | base64 -d >/tmp/backdoor-command
  sh /tmp/backdoor-command </dev/null >/tmp/backdoor-output 2>&1
  status=$?
  echo "hydrant-result $status $(base64 -w 0 /tmp/backdoor-output)" >&3
done
