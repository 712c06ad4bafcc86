#!/bin/bash
# Guest side of first-module's checks (vm/checks/first-module/rubric).
# Usage: guest.sh CHECK    env: KLAB_LIB, KLAB_EX (the folder with the student's test.ko)
# Exit: 0 pass, 1 fail, 2 no such check.
set -uo pipefail
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/checks/lib.sh
. "$KLAB_LIB/check.sh"

ko=$KLAB_EX/test.ko
loaded() { grep -q '^test ' /proc/modules; }

# load: insmod test.ko unless it is loaded; print what the kernel said.
load() {
	local out rc=0
	loaded && return 0
	kmsg_mark
	out=$(insmod "$ko" 2>&1) || rc=$?
	[ "$rc" -eq 0 ] && return 0
	if [ "$rc" -gt 128 ]; then
		observe "insmod test.ko was killed by signal $((rc - 128)) (the kernel oopsed in init?)"
	else
		observe "insmod test.ko failed (exit $rc): $(one_line "$out")" \
			"the kernel log said: $(one_line "$(kmsg_lines | tail -n 3)")"
	fi
	return 1
}

check_loads() {
	rmmod test 2>/dev/null
	load || fail
	log=$(kmsg_lines)
	loaded || fail "insmod succeeded but test is not in /proc/modules"
	grep -qx 'my-first-module: Hello world!' <<<"$log" ||
		fail "insmod succeeded; the kernel log then said: $(one_line "$log")"
	pass "insmod succeeded; the kernel log said: my-first-module: Hello world!"
}

check_listed() {
	load || fail
	lsmod | grep -q '^test ' || fail "lsmod does not list test; it lists: $(one_line "$(lsmod | awk 'NR > 1 { print $1 }')")"
	license=$(modinfo -F license "$ko")
	[ "$license" = GPL ] || fail "modinfo test.ko: license '$license'"
	pass "lsmod lists test; license GPL"
}

check_unloads() {
	load || fail
	kmsg_mark
	out=$(rmmod test 2>&1) || fail "rmmod test failed: $(one_line "$out")"
	log=$(kmsg_lines)
	! loaded || fail "rmmod succeeded but test is still in /proc/modules"
	grep -qx 'my-first-module: Goodbye cruel, cruel world!' <<<"$log" ||
		fail "rmmod succeeded; the kernel log then said: $(one_line "$log")"
	pass "rmmod succeeded; the kernel log said: my-first-module: Goodbye cruel, cruel world!"
}

run_check "$@"
