#!/usr/bin/env bash
# The guest test runner itself, on fixtures, with two VMs at once (JOBS=2): a failing test is
# "not ok" with its output, a hang is "# timeout", an unexpected WARNING fails a passing test, an
# oops is "# oops" with its text, a panic is "# panic", the tests after a crash still run, the
# TAP lines come in the tests' order, and a may-crash test has a VM of its own.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

if [ "$KERNEL" != lab ] || [ ! -f "$KIMAGE" ] || [ ! -f "$IMAGE" ]; then
	skip_all "needs the lab kernel and image (make inject)"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
T='' JOBS=2 "$KLAB_ROOT/vm/test-runner/host-side.sh" --tests-dir "$KLAB_ROOT/vm/test-runner/fixtures" >"$out" 2>&1 || rc=$?
sed 's/^/#   | /' "$out"

expect() { expect_line "$out" "$@"; }
expect "a passing test is ok" '^ok [0-9]+ - 01-pass.sh$'
expect "a failing test is not ok" '^not ok [0-9]+ - 02-fail.sh # exit 1$'
expect "... and its output is shown" '^#   deliberate failure: expected 2, got 3$'
expect "a hanging test is reported # timeout" '^not ok [0-9]+ - 03-hang.sh # timeout$'
expect "an unexpected WARNING fails an otherwise passing test" '^not ok [0-9]+ - 04-warning.sh # unexpected kernel splat$'
expect "... and the WARNING is printed" '^#   .*WARNING: .*lkdtm'
expect "a declared splat does not fail the test" '^ok [0-9]+ - 05-expected-warning.sh$'
expect "an oops is reported # oops" '^not ok [0-9]+ - 06-oops.sh # oops$'
expect "... with the oops text" '^#   .*BUG: kernel NULL pointer dereference'
expect "a panic is reported # panic" '^not ok [0-9]+ - 07-panic.sh # panic$'
expect "... with the panic text" '^#   .*Kernel panic - not syncing'
expect "the test after the panic still runs" '^ok [0-9]+ - 08-after-panic.sh$'
expect "the summary counts them" '^3 passed, 5 failed, 0 skipped$'
fixtures=$(cd "$KLAB_ROOT/vm/test-runner/fixtures" && find . -maxdepth 1 -type f -perm -u+x -printf '%f\n' | LC_ALL=C sort)
expect_eq "the TAP lines come numbered in the tests' order" \
	"$(awk '{ printf "%d - %s\n", NR, $0 }' <<<"$fixtures")" \
	"$(sed -nE 's/^(not )?ok ([0-9]+ - [^ ]+).*/\2/p' "$out")"
# Which tests each VM ran: guest-side.sh announces each on the console.
logdir=$LOG_DIR/test-in-guest/$KERNEL
for crashy in 06-oops.sh 07-panic.sh; do
	log=$(grep -l "=== kernel-lab test $crashy (" "$logdir"/boot-*.serial.log 2>/dev/null | head -n 1 || true)
	others=$([ -z "$log" ] || grep -a '^=== kernel-lab test [^ ]* (' "$log" | grep -vc "$crashy" || true)
	if [ -n "$log" ] && [ "$others" = 0 ]; then ok "$crashy (may-crash) ran in a VM of its own"; else
		not_ok "$crashy (may-crash) ran in a VM of its own" "log: '$log', other tests in it: '$others'"
	fi
done
if [ "$rc" -eq 1 ]; then ok "the runner exits 1 when a test failed"; else
	not_ok "the runner exits 1 when a test failed (got $rc)"
fi
tap_done
