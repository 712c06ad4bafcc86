#!/bin/bash
# Guest side of tcp-log's checks (vm/checks/tcp-log/rubric): each check starts from an empty
# filter table, runs the student's tcp_log.sh as root, makes its traffic and reads the
# kernel log.
# Usage: guest.sh CHECK    env: KLAB_LIB, KLAB_EX (the folder with the student's tcp_log.sh)
# Exit: 0 pass, 1 fail, 2 no such check.
set -uo pipefail
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/checks/lib.sh
. "$KLAB_LIB/check.sh"

url=http://127.0.0.1:8080/
read -r low high </proc/sys/net/ipv4/ip_local_port_range

# setup: an empty filter table, a web server on 127.0.0.1:8080, then the student's script.
setup() {
	local out rc=0
	iptables -F
	iptables -X
	http_serve 8080
	trap 'kill $http_server_pid 2>/dev/null; iptables -F; iptables -X' EXIT
	out=$(cd "$KLAB_EX" && bash ./tcp_log.sh 2>&1) || rc=$?
	[ "$rc" -eq 0 ] || fail "tcp_log.sh failed (exit $rc): $(one_line "$out")"
}

# logged: the TCP_LOG lines since the mark.
logged() { kmsg_lines | grep -F 'TCP_LOG: '; }
# ports LINES: the source ports of log lines.
ports() { sed -n 's/.* SPT=\([0-9]*\) .*/\1/p' <<<"$1" | sort -un | tr '\n' ' '; }

# root_logged: root's curl is logged with its ephemeral port; fail otherwise.
root_logged() {
	local lines
	kmsg_mark
	curl -sf --max-time 10 -o /dev/null "$url" || fail "root's curl $url failed"
	sleep 0.3
	lines=$(logged | grep ' PROTO=TCP ')
	[ -n "$lines" ] || fail "root's connection to $url logged nothing with the prefix \"TCP_LOG: \"; the kernel log said: $(one_line "$(kmsg_lines | tail -n 3)")"
	some_ephemeral "$lines" || fail "root's connection logged only source ports outside $low-$high: $(ports "$lines")"
}

# some_ephemeral LINES: a source port of LINES is ephemeral.
some_ephemeral() {
	local p
	for p in $(ports "$1"); do
		if [ "$p" -ge "$low" ] && [ "$p" -le "$high" ]; then return 0; fi
	done
	return 1
}

check_logged() {
	setup
	root_logged
	pass "root's connection logged from source port(s) $(ports "$(logged)")"
}

check_not-other-users() {
	local lines
	setup
	root_logged
	kmsg_mark
	setpriv --reuid=65534 --regid=65534 --clear-groups curl -sf --max-time 10 -o /dev/null "$url" ||
		fail "the non-root curl failed"
	sleep 0.3
	# the client's packets (to port 8080); the root server's replies are not-fixed-port's
	lines=$(logged | grep ' DPT=8080 ')
	[ -z "$lines" ] || fail "the non-root connection was logged: $(one_line "$(head -n 1 <<<"$lines")")"
	pass "root's connection was logged, uid 65534's was not"
}

check_not-fixed-port() {
	local lines
	setup
	root_logged
	kmsg_mark
	curl -sf --max-time 10 --local-port 2000-2099 -o /dev/null "$url" || fail "curl --local-port 2000-2099 failed"
	sleep 0.3
	lines=$(logged | grep -E ' SPT=(2[0-9][0-9][0-9]|8080) ')
	[ -z "$lines" ] || fail "logged source ports: $(ports "$lines")(not ephemeral: $low-$high)"
	pass "root's connection from port 2000-2099 and the replies from 8080 were not logged"
}

check_not-udp() {
	local lines
	setup
	root_logged
	kmsg_mark
	for _ in 1 2 3; do echo ping >/dev/udp/127.0.0.1/9999; done 2>/dev/null
	sleep 0.3
	lines=$(logged | grep ' PROTO=UDP ')
	[ -z "$lines" ] || fail "UDP was logged: $(one_line "$(head -n 1 <<<"$lines")")"
	pass "three UDP datagrams from ephemeral ports were not logged"
}

check_only-output() {
	local rules lines
	setup
	root_logged
	rules=$(iptables -S | grep -vE '^-P ' | grep -vE '^-A OUTPUT ')
	[ -z "$rules" ] || fail "rules outside OUTPUT: $(one_line "$rules")"
	lines=$(logged | grep -v ' IN= ')
	[ -z "$lines" ] || fail "logged outside OUTPUT: $(one_line "$(head -n 1 <<<"$lines")")"
	pass "the rules are in OUTPUT only; every TCP_LOG line has IN= empty"
}

run_check "$@"
