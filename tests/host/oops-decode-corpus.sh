#!/usr/bin/env bash
# oops-decode --parse-only on every log of the shared oops corpus must give the values of its
# .expected file (one TAP line per log). Env: BUILD_DIR. Exit: 0 all passed or skipped, 1 not.
set -euo pipefail
# shellcheck source=tests/host/oops-decode-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/oops-decode-lib.sh"

KEYS=(header_line fault_function fault_offset fault_size fault_module
      call_trace_first3 call_trace_first3_after_reporting_frames
      call_trace_first3_after_irq)

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

have_corpus "oops corpus --parse-only" || tap_done
build_oops_decode all

for log in "$CORPUS"/*.log; do
	name=$(basename "$log" .log)
	exp=$CORPUS/$name.expected
	diag=()
	declare -A want=() got=()
	if [[ ! -f $exp ]]; then
		not_ok "corpus $name" "missing $exp"
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
		not_ok "corpus $name" "${diag[@]}"
	else
		ok "corpus $name"
	fi
	unset want got
done
tap_done
