#!/usr/bin/env bash
# Run the lab's tests and close with one line "N passed, N failed, N skipped".
# Usage: tests/run.sh host|guest|all
#   host   every executable tests/host/*.sh (TAP lines: ok / not ok / # SKIP)
#   guest  the in-guest suite (vm/run-tests.sh) on each kernel of TEST_KERNELS (default:
#          the selected KERNEL, then the other one)
#   all    both
# A test script that exits non-zero without reporting a "not ok" counts as one failure.
# Exit: 0 when nothing failed, 1 otherwise, 2 on bad usage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/paths.sh
. "$ROOT/tools/paths.sh"
export KLAB_ROOT=$ROOT

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
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		f=1
	fi
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
	rm -f "$out"
}

what=${1:-all}
case $what in host | guest | all) ;; *) sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2 ;; esac

if [ "$what" != guest ]; then
	for t in "$ROOT"/tests/host/*.sh; do
		[ -x "$t" ] || continue
		run_tap "host: $(basename "$t" .sh)" "$t"
	done
fi
# prepare_kernel K: build what the guest suite needs on kernel K (make inject KERNEL=K).
prepare_kernel() {
	local log=$BUILD_DIR/logs/prepare-$1.log
	mkdir -p "$BUILD_DIR/logs"
	if make -s -C "$ROOT" inject tools KERNEL="$1" >"$log" 2>&1; then
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
		run_tap "guest tests (KERNEL=$k)" env KERNEL="$k" "$ROOT/vm/run-tests.sh"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
