# shellcheck shell=bash
# TAP helpers for host tests: source it, report with ok / not_ok / check, end with tap_finish.
# Diagnostics follow a "not ok" as "#   " lines; tap_finish exits 1 if anything failed.

tap_failures=0
tap_count=0 # every ok / not_ok / skip, for tap_done's plan line

ok() {
	tap_count=$((tap_count + 1))
	echo "ok - $1"
}

# not_ok DESC [DIAGNOSTIC...]: the last 20 lines of the diagnostics are shown.
not_ok() {
	tap_count=$((tap_count + 1))
	echo "not ok - $1"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@" | tail -n 20 | sed 's/^/#   /'
	tap_failures=$((tap_failures + 1))
}

# check DESC CMD...: ok when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

tap_finish() { [ "$tap_failures" -eq 0 ]; }

# expect_line FILE DESC REGEX: ok when a line of FILE matches the extended REGEX.
expect_line() {
	if grep -qE -- "$3" "$1"; then ok "$2"; else not_ok "$2" "no line matches: $3"; fi
}

# skip DESC REASON: a skipped check, reported as ok with a "# SKIP REASON" directive.
skip() { ok "$1 # SKIP $2"; }

# expect_eq DESC WANT GOT: ok when GOT is exactly WANT; otherwise both are shown.
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want: $2" "got:  $3"; fi
}

# tap_done: print the plan line 1..N for everything reported, then exit 0, or 1 if anything failed.
tap_done() {
	echo "1..$tap_count"
	tap_finish || exit 1
	exit 0
}
