#!/bin/bash
# Guest side of the oops exercise's checks (vm/checks/oops/rubric).
# Usage: guest.sh CHECK    env: KLAB_LIB, KLAB_EX (the folder with the student's buggy test.ko)
# Exit: 0 pass, 1 fail, 2 no such check.
set -uo pipefail
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/checks/lib.sh
. "$KLAB_LIB/check.sh"

ko=$KLAB_EX/test.ko
tries=20

# oopsed: the kernel has died in a task at least once (taint flag D).
oopsed() { [ $(($(cat /proc/sys/kernel/tainted) & 128)) -ne 0 ]; }

check_reproduce() {
	local i out rc
	rmmod test 2>/dev/null
	for i in $(seq "$tries"); do
		rc=0
		out=$(insmod "$ko" 2>&1) || rc=$?
		if [ "$rc" -eq 0 ]; then
			rmmod test
			continue
		fi
		oopsed && pass "load $i: insmod died (exit $rc) and the kernel oopsed"
		fail "load $i: insmod failed without an oops (exit $rc): $(one_line "$out")"
	done
	fail "$tries loads, no oops: is add_bug.patch applied to the module?"
}

run_check "$@"
