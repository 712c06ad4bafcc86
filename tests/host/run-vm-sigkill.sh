#!/usr/bin/env bash
# A VM never outlives its runner: run-vm.sh killed with SIGKILL mid-boot (an IDE's stop button,
# an OOM kill, a CI timeout) leaves no QEMU and no timeout sleep behind, and the next run removes
# the folder it could not clean up; a folder whose owner still runs is kept.
# Usage: tests/host/run-vm-sigkill.sh     env: BUILD_DIR, KERNEL
# Exit: 0 all ok, 1 a check failed, 77 no kernel/image to boot.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

if [ ! -f "$KIMAGE" ] || [ ! -f "$IMAGE" ]; then
	skip_all "no kernel/image for KERNEL=$KERNEL (make inject)"
fi
tmp=$(mktemp -d)
mkdir "$tmp/tmpdir"
# run-vm.sh makes its folder in TMPDIR: here, so that only this test's folders are looked at.
export TMPDIR=$tmp/tmpdir
# Every process started here names $tmp on its command line: none may outlive the test.
trap 'pkill -KILL -f "$tmp/" || true; rm -rf "$tmp"' EXIT

# alive PID...: the PIDs among these that still run (zombies do not count).
alive() {
	local p state
	for p in "$@"; do
		state=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$state" = Z ] || echo "$p"
	done
}

# Start a VM whose command would run for a minute, with a timeout (its sleep is a child too).
setsid "$KLAB_ROOT/run-vm.sh" --exec 'sleep 60' --timeout 300 --log "$tmp/vm.log" >/dev/null 2>&1 &
runner=$!
qemu=''
for _ in $(seq 300); do
	qemu=$(pgrep -f "logfile=$tmp/vm.log" || true)
	[ -z "$qemu" ] || break
	sleep 0.1
done
if [ -z "$qemu" ]; then
	bail_out "run-vm.sh did not start QEMU within 30 s"
fi
children=$(pgrep -P "$runner" | tr '\n' ' ')
folder=$(grep -l "^$runner " "$TMPDIR"/kernel-lab-vm.*/owner 2>/dev/null | head -n 1 || true)
folder=${folder%/owner}
sleep 1 # mid-boot
kill -KILL "$runner"
wait "$runner" 2>/dev/null || true
left=''
for _ in $(seq 50); do
	# shellcheck disable=SC2086 # a list of PIDs
	left=$(alive $qemu $children)
	[ -n "$left" ] || break
	sleep 0.1
done
if [ -z "$left" ]; then
	ok "SIGKILL of run-vm.sh mid-boot: its QEMU and its timeout's sleep are gone within 5 s"
else
	not_ok "SIGKILL of run-vm.sh mid-boot: its QEMU and its timeout's sleep are gone within 5 s" \
		"still running: $(ps -o pid=,ppid=,args= -p "${left//$'\n'/,}" | cut -c1-150)"
fi
if [ -n "$folder" ] && [ -d "$folder" ]; then
	ok "the killed run's folder is left behind (nothing ran to remove it)"
else
	not_ok "the killed run's folder is left behind (nothing ran to remove it)" "folder: '$folder'"
fi

# A folder whose owner still runs must survive the next run's sweep.
sleep 300 &
keeper=$!
mkdir "$TMPDIR/kernel-lab-vm.keepme"
echo "$keeper $(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$keeper/stat")" >"$TMPDIR/kernel-lab-vm.keepme/owner"

rc=0
out=$("$KLAB_ROOT/run-vm.sh" --exec true --log "$tmp/vm2.log" 2>&1) || rc=$?
expect_eq "the next run works (exit 0)" 0 "$rc"
if [ -n "$folder" ] && [ ! -e "$folder" ]; then ok "the next run removed the stale folder"; else
	not_ok "the next run removed the stale folder" "$(ls -la "$TMPDIR")"
fi
if [ -d "$TMPDIR/kernel-lab-vm.keepme" ]; then ok "a folder whose owner runs is kept"; else
	not_ok "a folder whose owner runs is kept"
fi
kill "$keeper"
leftovers=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'kernel-lab-vm.*' ! -name '*.keepme')
expect_eq "no other kernel-lab-vm.* folder is left" "" "$leftovers"
tap_done
