#!/usr/bin/env bash
# The analyzer's own regression corpus (tools/oops-decode/testdata/KNAME/CASE.log): console logs
# of the oops gallery (vm/debug/oops-cases) captured on the lab's kernels, each with a
# hand-checked CASE.expected. Runs in every clone, no kernel or VM needed. Per log:
#   - the .expected was checked by hand ("checked: by hand ..."), not a draft;
#   - oops-decode --classify gives its "classify:" lines, and crash_reports (tools/lib/common.sh:
#     the one classifier run-vm.sh and the guest test runner use) gives the same;
#   - the first report's kind is the case's kind in vm/debug/oops-cases;
#   - oops-decode --parse-only gives its header_line, fault_* and call_trace_first3* values;
# and every case is captured on every kernel it runs on (lab, lab-debug, debian).
# Env: BUILD_DIR. Exit: 0 passed, 1 a log or a case failed.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

testdata=$KLAB_ROOT/tools/oops-decode/testdata
cases=$KLAB_ROOT/vm/debug/oops-cases
keys="header_line fault_function fault_offset fault_size fault_module call_trace_first3 call_trace_first3_after_reporting_frames"
crash_reports /dev/null || bail_out "cannot build oops-decode"
decode=$BIN_DIR/oops-decode

table_field() { # CASE N: field N of CASE in vm/debug/oops-cases
	awk -F' *[|] *' -v n="$1" -v f="$2" '!/^#/ && $1 == n { print $f }' "$cases"
}

for exp in "$testdata"/*/*.expected; do
	[ -f "$exp" ] || continue
	log=${exp%.expected}.log
	id=${exp#"$testdata"/}
	id=${id%.expected}
	diag=()
	name=$(sed -n 's/^case: //p' "$exp")
	grep -q '^checked: by hand' "$exp" || diag+=("not checked by hand (a draft of vm/debug/oops-capture.sh)")
	[ -f "$log" ] || { not_ok "corpus $id" "no $log"; continue; }
	want=$(sed -n 's/^classify: //p' "$exp")
	got=$("$decode" --classify "$log" || true)
	[ "$got" = "$want" ] || diag+=("--classify:" "  want: ${want//$'\n'/ | }" "  got:  ${got//$'\n'/ | }")
	got=$(crash_reports "$log")
	[ "$got" = "$want" ] || diag+=("crash_reports (run-vm.sh, the test runner) differs: ${got//$'\n'/ | }")
	kind=$(table_field "$name" 3)
	[ -n "$kind" ] || diag+=("case '$name' is not in vm/debug/oops-cases")
	[ -z "$kind" ] || [ "${want%%$'\t'*}" = "$kind" ] || diag+=("the gallery says its first report is of kind '$kind'")
	parsed=$("$decode" --parse-only "$log" 2>/dev/null || true)
	for k in $keys; do
		w=$(sed -n "s/^$k: //p" "$exp")
		[ -n "$w" ] || continue
		g=$(sed -n "s/^$k: //p" <<<"$parsed")
		[ "$g" = "$w" ] || diag+=("$k: want '$w', got '$g'")
	done
	if [ ${#diag[@]} -eq 0 ]; then ok "corpus $id: ${want%%$'\t'*}"; else not_ok "corpus $id" "${diag[@]}"; fi
done

# Every case on every kernel it runs on.
while IFS='|' read -r name kernels; do
	case $kernels in
	any) knames="lab lab-debug debian" ;;
	lab) knames="lab lab-debug" ;;
	*) knames="lab-$kernels" ;;
	esac
	# A kernel with no capture at all yet is reported as skipped, by name, not passed.
	missing=() uncaptured=() captured=()
	for k in $knames; do
		if [ ! -d "$testdata/$k" ]; then uncaptured+=("$k")
		elif [ -f "$testdata/$k/$name.expected" ]; then captured+=("$k")
		else missing+=("$k"); fi
	done
	if [ ${#missing[@]} -gt 0 ]; then
		not_ok "case $name is in the corpus for: $knames" "not captured on: ${missing[*]} (vm/debug/oops-capture.sh $name)"
	elif [ ${#captured[@]} -gt 0 ]; then
		ok "case $name is in the corpus for: ${captured[*]}"
	fi
	[ ${#uncaptured[@]} -eq 0 ] ||
		skip "case $name is in the corpus for: ${uncaptured[*]}" "no capture from that kernel yet (vm/debug/oops-capture.sh)"
done < <(awk -F' *[|] *' '!/^#/ { print $1 "|" $2 }' "$cases")
tap_done
