#!/bin/bash
# Guest side of `make test-in-guest`: run guest tests one by one, writing for each into VMDIR
# (this VM's folder in the host's shared folder) NAME.out (its output), NAME.dmesg (the kernel
# log during it) and lines in VMDIR/results: "ready" once, then "begin NAME" before a test
# starts and "end NAME STATUS SECONDS" when it is done. The host classifies the results; a test
# that crashes the kernel leaves "begin" without "end".
#
# Usage: guest-side.sh SHARE VMDIR [TEST:SECONDS...]
#   TEST:SECONDS  run these tests (SHARE/tests/TEST) with these limits; without any, take tests
#                 from the queue SHARE/queue until it is empty: each entry "RANK-TEST" (holding
#                 the limit) is claimed by moving it into VMDIR/claimed/, an atomic rename on the
#                 host, so that VMs sharing the queue never run the same test.
# Env for the tests: KLAB_LIB=SHARE/lib (tap.sh and the guest helpers), the KEY=value lines of
# SHARE/env (KLAB_KERNEL, KLAB_KERNEL_RELEASE, ...).
# Exit: 0 when every test ran to its end (whatever their statuses), 2 on bad usage.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: guest-side.sh SHARE VMDIR [TEST:SECONDS...]" >&2; exit 2; }
share=$1 vmdir=$2
shift 2
export KLAB_LIB=$share/lib
if [ -f "$share/env" ]; then
	set -a
	# shellcheck disable=SC1091
	. "$share/env"
	set +a
fi
# The kernel's own messages go to the serial console only at warning level and above.
dmesg -n 5 2>/dev/null
mkdir -p "$vmdir/claimed"
echo ready >>"$vmdir/results"

pending=("$@")
# next_test: the next "TEST:SECONDS": from the arguments if there were any, else claimed from
# the queue.
next_test() {
	local e limit
	if [ "$explicit" -gt 0 ]; then
		[ "$done_args" -lt ${#pending[@]} ] || return 1
		echo "${pending[$done_args]}"
		return 0
	fi
	for e in "$share"/queue/*; do
		[ -e "$e" ] || return 1
		# (9p passes the rename to the host: atomic there, ENOENT for the VM that lost)
		if mv "$e" "$vmdir/claimed/" 2>/dev/null; then
			read -r limit <"$vmdir/claimed/${e##*/}"
			e=${e##*/}
			echo "${e#[0-9][0-9][0-9]-}:$limit"
			return 0
		fi
	done
	return 1
}

explicit=$# done_args=0
while arg=$(next_test); do
	done_args=$((done_args + 1))
	name=${arg%:*} limit=${arg##*:}
	test=$share/tests/$name
	# (writes to the 9p share reach the host's file at once: no sync needed)
	echo "begin $name" >>"$vmdir/results"
	echo "kernel-lab: test $name: begin" >/dev/kmsg
	echo "=== kernel-lab test $name (timeout ${limit}s) ==="
	work=$(mktemp -d)
	start=$SECONDS
	(cd "$work" && timeout -k 5 "$limit" "$test") >"$vmdir/$name.out" 2>&1 </dev/null
	status=$?
	took=$((SECONDS - start))
	rm -rf "$work"
	echo "kernel-lab: test $name: end" >/dev/kmsg
	dmesg | sed -n "/kernel-lab: test $name: begin/,/kernel-lab: test $name: end/p" >"$vmdir/$name.dmesg"
	echo "end $name $status $took" >>"$vmdir/results"
	echo "=== kernel-lab test $name: exit $status (${took}s) ==="
done
exit 0
