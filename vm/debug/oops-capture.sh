#!/usr/bin/env bash
# Capture gallery cases into the analyzer's regression corpus: run `make oops CASE=name` on the
# selected kernel, keep its console log trimmed to the case (from the guest's "oops case NAME:
# begin" line to its "end" line, or to the end of the log when the kernel died) as
# tools/oops-decode/testdata/KNAME/CASE.log, and write a DRAFT CASE.expected beside it: what
# oops-decode --classify and --parse-only say, and the source line step 3 of the trace found.
# The draft says "checked: no": a person compares every value with the log and the source, fixes
# what is wrong, and replaces that line with "checked: by hand, ..." (tests/host/oops-corpus-own.sh
# refuses an unchecked .expected).
# Usage: vm/debug/oops-capture.sh CASE...|all      env: BUILD_DIR, KERNEL, FLAVOR
#   all: every case that runs on the selected kernel (vm/debug/oops-cases)
#   OOPS_REUSE=1: take LOG_DIR/oops/KNAME/CASE.serial.log of an earlier make oops instead
# Exit: 0 every case captured, 1 a case failed (the others are still captured), 2 usage.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

[ $# -ge 1 ] || { usage >&2; exit 2; }
cases=$KLAB_ROOT/vm/debug/oops-cases
testdata=$KLAB_ROOT/tools/oops-decode/testdata/$KNAME
decode=$BIN_DIR/oops-decode
release=$(cat "$KOUT/include/config/kernel.release" 2>/dev/null || echo unknown)
if [ "$1" = all ]; then
	names=()
	while IFS='|' read -r n k; do
		case $k in any) ;; lab) [ "$KERNEL" = lab ] || continue ;; *) [ "${FLAVOR:-}" = "$k" ] || continue ;; esac
		names+=("$n")
	done < <(awk -F' *[|] *' '!/^#/ { print $1 "|" $2 }' "$cases")
else
	names=("$@")
fi
mkdir -p "$testdata" "$LOG_DIR/oops/$KNAME"
failed=0
for name in "${names[@]}"; do
	log=$LOG_DIR/oops/$KNAME/$name.serial.log
	trace=$LOG_DIR/oops/$KNAME/$name.trace
	if [ "${OOPS_REUSE:-0}" = 1 ] && [ -f "$log" ]; then
		OOPS_LOG=$log "$KLAB_ROOT/vm/debug/oops.sh" "$name" >"$trace" 2>&1 || true
	elif ! "$KLAB_ROOT/vm/debug/oops.sh" "$name" >"$trace" 2>&1; then
		note "CASE=$name: make oops failed or found another kind (the trace: $trace); captured anyway for a look"
		failed=1
	fi
	[ -f "$log" ] || { note "CASE=$name: no serial log"; failed=1; continue; }
	# the case, from the guest's begin line to its end line (or the end of the log)
	awk -v b="kernel-lab: oops case $name: begin" -v e="kernel-lab: oops case $name: end" \
		'index($0, b) { on = 1 } on { print } on && index($0, e) { exit }' "$log" >"$testdata/$name.log"
	[ -s "$testdata/$name.log" ] || cp "$log" "$testdata/$name.log"
	# where step 3 of the trace found the source: the first "at FILE:LINE", relative to the
	# lab's module folder or the kernel tree
	source=$(sed -n '/^=== 3\./,/^=== 4\./p' "$trace" | grep -m 1 -oE ' at [^ ]+:[0-9]+' | sed 's/^ at //' || true)
	source=${source#"$EXT_DIR"/}
	source=${source#"$(readlink -f "$KOUT/source" 2>/dev/null || echo "$KOUT/source")"/}
	{
		echo "# $KNAME/$name.log: make oops CASE=$name on $release (tools/oops-decode/testdata/README)"
		echo "case: $name"
		echo "kernel: $release"
		"$decode" --classify "$testdata/$name.log" | sed 's/^/classify: /' || true
		"$decode" --parse-only "$testdata/$name.log" | grep -E '^(header_line|fault_function|fault_offset|fault_size|fault_module|call_trace_first3|call_trace_first3_after_reporting_frames): ' || true
		echo "source: ${source:-none}"
		echo "checked: no"
	} >"$testdata/$name.expected"
	echo "==> $KNAME/$name: $(grep -c . "$testdata/$name.log") lines; draft $testdata/$name.expected (check it by hand)"
done
exit "$failed"
