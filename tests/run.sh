#!/usr/bin/env bash
# The entry of `make test`: run the host tests and the guest suites, and close with one line
# "N passed, N failed, N skipped".
#
# Usage: tests/run.sh host|guest|all
#   host   every executable tests/host/*.sh (TAP, written with tests/lib/tap.sh)
#   guest  the guest suite (vm/test-runner/host-side.sh) on each kernel of TEST_KERNELS
#          (default: the selected KERNEL, then the other one)
#   all    both
# A test that exits 77 is skipped as a whole; one that exits non-zero without reporting a
# "not ok" counts as one failure.
# Exit: 0 when nothing failed, 1 otherwise, 2 on bad usage.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

passed=0 failed=0 skipped=0

# run_tap NAME CMD...: run CMD, show its output, count its TAP lines.
run_tap() {
	local name=$1 out rc=0 p f s
	shift
	out=$(mktemp)
	echo "# --- $name"
	"$@" 2>&1 | tee "$out" || rc=$?
	p=$(grep -cE '^ok\b' "$out" || true)
	s=$(grep -cE '^ok\b.*# *SKIP' "$out" || true)
	f=$(grep -cE '^not ok\b' "$out" || true)
	if [ "$rc" -eq 77 ]; then
		s=$((s + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		f=1
	fi
	passed=$((passed + p - (s > p ? p : s))) skipped=$((skipped + s)) failed=$((failed + f))
	rm -f "$out"
}

what=${1:-all}
case $what in host | guest | all) ;; *) usage >&2; exit 2 ;; esac

if [ "$what" != guest ]; then
	for t in "$KLAB_ROOT"/tests/host/*.sh; do
		[ -x "$t" ] || continue
		run_tap "host: $(basename "$t" .sh)" "$t"
	done
fi

# prepare_kernel K: build what the guest suite needs on kernel K (make inject KERNEL=K).
prepare_kernel() {
	local log=$LOG_DIR/prepare-$1.log
	mkdir -p "$LOG_DIR"
	if make -s -C "$KLAB_ROOT" inject KERNEL="$1" >"$log" 2>&1; then
		echo "ok - make inject KERNEL=$1"
	else
		echo "not ok - make inject KERNEL=$1"
		tail -n 30 "$log" | sed 's/^/#   /'
		return 1
	fi
}

# The guest suite runs on every kernel of TEST_KERNELS (default: the lab's and Debian's), so
# that the modules stay honest on two kernel versions.
if [ "$what" != host ]; then
	for k in ${TEST_KERNELS:-$KERNEL $([ "$KERNEL" = lab ] && echo debian || echo lab)}; do
		if [ "$k" != "$KERNEL" ]; then
			run_tap "prepare KERNEL=$k" prepare_kernel "$k"
		fi
		run_tap "guest tests (KERNEL=$k)" env KERNEL="$k" "$KLAB_ROOT/vm/test-runner/host-side.sh"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
