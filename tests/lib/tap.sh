# shellcheck shell=bash
# The one test vocabulary, for host tests (tests/host/) and guest tests (vm/tests/) alike:
# source it, report with the functions below, end with tap_done.
#
#   ok DESC                      a passing check
#   not_ok DESC [DIAG...]        a failing check; the last 20 lines of DIAG follow as "#   "
#   check DESC CMD...            ok when CMD succeeds; its output is shown only on failure
#   check_not DESC CMD...        ok when CMD fails; its output is shown only on failure
#   expect_eq DESC WANT GOT      ok when GOT is exactly WANT; otherwise both are shown
#   expect_line FILE DESC REGEX  ok when a line of FILE matches the extended REGEX
#   skip DESC REASON             one check that does not apply here ("ok - DESC # SKIP REASON")
#   skip_all REASON              the whole test does not apply: "1..0 # SKIP REASON", exit 77
#   bail_out REASON              the test cannot go on: "Bail out! REASON", exit 1
#   tap_done                     the plan line 1..N, then exit 0, or 1 if anything failed
#
# Exit 77 means "skipped" to both runners (tests/run.sh and the guest test runner).

tap_count=0
tap_failures=0

ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

not_ok() {
	tap_count=$((tap_count + 1))
	tap_failures=$((tap_failures + 1))
	echo "not ok $tap_count - $1"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@" | tail -n 20 | sed 's/^/#   /'
}

check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then ok "$desc"; else not_ok "$desc" "failed (exit $rc): $*" "$out"; fi
}

check_not() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then ok "$desc"; else not_ok "$desc" "succeeded but must fail: $*" "$out"; fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want: $2" "got:  $3"; fi
}

expect_line() {
	if grep -qE -- "$3" "$1"; then ok "$2"; else not_ok "$2" "no line of $1 matches: $3"; fi
}

skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 77
}

bail_out() {
	echo "Bail out! $1"
	exit 1
}

tap_done() {
	echo "1..$tap_count"
	[ "$tap_failures" -eq 0 ] || exit 1
	exit 0
}
