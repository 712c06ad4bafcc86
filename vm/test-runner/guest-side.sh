#!/bin/bash
# Guest side of `make test-in-guest`: run guest tests one by one, writing for each into OUTDIR
# (the host's shared folder) NAME.out (its output), NAME.dmesg (the kernel log during it) and a
# line in OUTDIR/results: "begin NAME" before it starts, "end NAME STATUS" when it is done.
# The host classifies the results; a test that crashes the kernel leaves "begin" without "end".
#
# Usage: guest-side.sh OUTDIR TEST:SECONDS...   (TEST: a path to an executable; SECONDS: its limit)
# Env for the tests: KLAB_LIB=OUTDIR/lib (tap.sh and the guest helpers), the KEY=value lines
# of OUTDIR/env (KLAB_KERNEL, KLAB_KERNEL_RELEASE, ...).
# Exit: 0 when every test ran to its end (whatever their statuses), 2 on bad usage.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: guest-side.sh OUTDIR TEST:SECONDS..." >&2; exit 2; }
outdir=$1
shift
export KLAB_LIB=$outdir/lib
if [ -f "$outdir/env" ]; then
	set -a
	# shellcheck disable=SC1091
	. "$outdir/env"
	set +a
fi
# The kernel's own messages go to the serial console only at warning level and above.
dmesg -n 5 2>/dev/null

for arg in "$@"; do
	test=${arg%:*} limit=${arg##*:}
	name=$(basename "$test")
	echo "begin $name" >>"$outdir/results"
	sync
	echo "kernel-lab: test $name: begin" >/dev/kmsg
	echo "=== kernel-lab test $name (timeout ${limit}s) ==="
	work=$(mktemp -d)
	(cd "$work" && timeout -k 5 "$limit" "$test") >"$outdir/$name.out" 2>&1 </dev/null
	status=$?
	rm -rf "$work"
	echo "kernel-lab: test $name: end" >/dev/kmsg
	dmesg | sed -n "/kernel-lab: test $name: begin/,/kernel-lab: test $name: end/p" >"$outdir/$name.dmesg"
	echo "end $name $status" >>"$outdir/results"
	sync
	echo "=== kernel-lab test $name: exit $status ==="
done
