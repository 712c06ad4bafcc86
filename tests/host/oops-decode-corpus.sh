#!/usr/bin/env bash
# oops-decode --parse-only on every log of the shared oops corpus must give
# the values of its .expected file (one TAP line per log).
set -euo pipefail

KLAB_ROOT=${KLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$KLAB_ROOT/build}
CORPUS=$KLAB_ROOT/../shared/oops-corpus
BIN=$BUILD_DIR/bin/oops-decode
KEYS=(header_line fault_function fault_offset fault_size fault_module
      call_trace_first3 call_trace_first3_after_reporting_frames
      call_trace_first3_after_irq)

if [[ ! -d $CORPUS ]]; then
	echo "ok - oops corpus # SKIP ../shared/oops-corpus not present"
	exit 0
fi
if ! out=$(make -s -C "$KLAB_ROOT/tools/oops-decode" BUILD_DIR="$BUILD_DIR" 2>&1); then
	echo "not ok - build oops-decode"
	while IFS= read -r l; do echo "# $l"; done <<<"$out"
	exit 1
fi

# "n/a", "none", "none: ..." all mean there is no value.
none_norm() {
	case $1 in
	n/a | none | none:* | "none "*) printf 'none' ;;
	*) printf '%s' "$1" ;;
	esac
}

# Expected values may end in a "(comment)"; "(null)" in a header is not
# one, so a value matches with or without its last parenthesized group.
matches() {
	local got=$1 want=$2 stripped
	want=${want%"${want##*[![:space:]]}"}
	stripped=$want
	if [[ $want =~ ^(.*[^[:space:]])[[:space:]]+\([^\(\)]*\)$ ]]; then
		stripped=${BASH_REMATCH[1]}
	fi
	[[ $got == "$(none_norm "$want")" || $got == "$(none_norm "$stripped")" ]]
}

fail=0
for log in "$CORPUS"/*.log; do
	name=$(basename "$log" .log)
	exp=$CORPUS/$name.expected
	diag=()
	declare -A want=() got=()
	if [[ ! -f $exp ]]; then
		echo "not ok - corpus $name"
		echo "# missing $exp"
		fail=1
		continue
	fi
	while IFS= read -r line; do
		want[${line%%: *}]=${line#*: }
	done <"$exp"
	rc=0
	actual=$("$BIN" --parse-only "$log" 2>&1) || rc=$?
	while IFS= read -r line; do
		got[${line%%: *}]=${line#*: }
	done <<<"$actual"
	[[ $rc -eq 0 ]] || diag+=("exit status $rc: $actual")
	for k in "${KEYS[@]}"; do
		[[ -v "want[$k]" ]] || continue
		if ! matches "${got[$k]-<missing>}" "${want[$k]}"; then
			diag+=("$k: expected '${want[$k]}', got '${got[$k]-<missing>}'")
		fi
	done
	if ((${#diag[@]})); then
		echo "not ok - corpus $name"
		printf '# %s\n' "${diag[@]}"
		fail=1
	else
		echo "ok - corpus $name"
	fi
	unset want got
done
exit "$fail"
