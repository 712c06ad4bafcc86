#!/bin/bash
# The TCP_LOG exercise: root's connections from ephemeral ports are logged, a non-root user's
# are not, and the server's replies (source port 8080) are not.
# timeout: 60
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"

exercise=$LAB_DIR/exercises/tcp_log.sh
read -r low high </proc/sys/net/ipv4/ip_local_port_range

http_serve 8080
trap 'kill $http_server_pid 2>/dev/null; "$exercise" del 2>/dev/null' EXIT

check "the exercise adds its rule" "$exercise" add
check "the rule is in OUTPUT" grep -q 'TCP_LOG' <(iptables -S OUTPUT)

# Source ports of the TCP_LOG lines since the last mark.
logged_ports() { kmsg_since | grep 'TCP_LOG: ' | sed -n 's/.* SPT=\([0-9]*\) .*/\1/p'; }

kmsg_mark
check "root's curl gets the page" curl -sf --max-time 10 http://127.0.0.1:8080/
sleep 0.5
ports=$(logged_ports)
echo "root: logged source ports: $(echo "$ports" | sort -u | tr '\n' ' ')"
check "root's connection produced TCP_LOG lines" test -n "$ports"
in_range=true
for p in $ports; do
	if [ "$p" -lt "$low" ] || [ "$p" -gt "$high" ]; then in_range=false; fi
done
check "every logged source port is ephemeral ($low-$high)" $in_range
check_not "no reply from the server (source port 8080) is logged" grep -qx 8080 <<<"$ports"

kmsg_mark
check "a non-root user's curl gets the page" \
	setpriv --reuid=65534 --regid=65534 --clear-groups curl -sf --max-time 10 http://127.0.0.1:8080/
sleep 0.5
check "the non-root connection produced no TCP_LOG line" test -z "$(logged_ports)"
tap_done
