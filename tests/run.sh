#!/usr/bin/env bash
# The entry of `make test`: run the host tests and the guest suites, and close with one line
# "N passed, N failed, N skipped".
#
# Usage: tests/run.sh host|guest|all
#   host   every executable tests/host/*.sh (TAP, written with tests/lib/tap.sh)
#   guest  the guest suite (vm/test-runner/host-side.sh) on each kernel of TEST_KERNELS,
#          KERNEL[:FLAVOR] each (default: the selected kernel, then the other one). A flavour
#          other than the selected one (lab:debug) runs only when its kernel is built already:
#          a cold one is a second kernel build (README: what a cold make test covers).
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

# prepare_kernel K [F]: build what the guest suite needs on kernel K, flavour F (make inject).
prepare_kernel() {
	local log=$LOG_DIR/prepare-$1${2:+-$2}.log what="KERNEL=$1${2:+ FLAVOR=$2}"
	mkdir -p "$LOG_DIR"
	if make -s -C "$KLAB_ROOT" inject KERNEL="$1" FLAVOR="${2:-}" >"$log" 2>&1; then
		echo "ok - make inject $what"
	else
		echo "not ok - make inject $what"
		tail -n 30 "$log" | sed 's/^/#   /'
		return 1
	fi
}

# The guest suite runs on every kernel of TEST_KERNELS (default: the lab's and Debian's), so
# that the modules stay honest on two kernel versions.
if [ "$what" != host ]; then
	for k in ${TEST_KERNELS:-$KERNEL $([ "$KERNEL" = lab ] && echo debian || echo lab)}; do
		kern=${k%%:*} flav=
		[[ $k != *:* ]] || flav=${k#*:}
		what="KERNEL=$kern${flav:+ FLAVOR=$flav}"
		if [ "$kern" != "$KERNEL" ] || [ "$flav" != "${FLAVOR:-}" ]; then
			kimage=$(KERNEL=$kern FLAVOR=$flav "$KLAB_ROOT/tools/lib/paths.sh" | sed -n 's/^KIMAGE=//p')
			if [ -n "$flav" ] && [ ! -f "$kimage" ]; then
				echo "# --- guest tests ($what)"
				echo "ok - guest tests ($what) # SKIP its kernel is not built: make kernel FLAVOR=$flav (a second cold kernel build), then make test"
				skipped=$((skipped + 1))
				continue
			fi
			run_tap "prepare $what" prepare_kernel "$kern" "$flav"
		fi
		run_tap "guest tests ($what)" env KERNEL="$kern" FLAVOR="$flav" "$KLAB_ROOT/vm/test-runner/host-side.sh"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
