#!/usr/bin/env bash
# The oops gallery live: a handful of cases re-provoked in the VM (make oops CASE=name) must still
# give what their committed capture says (tools/oops-decode/testdata/KNAME/CASE.expected): the
# same kind and first line of the first report, the same faulting function, and the trace
# resolving it to the same source line. So the corpus does not rot when a kernel or module changes.
# Cases: on the selected kernel, and on the debug flavour too when its image is built already.
# Env: BUILD_DIR, KERNEL, FLAVOR; OOPS_GALLERY_CASES="kname:case ..." to choose others.
# Exit: 0 passed, 1 failed, 77 skipped (no kernel, image or modules).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

testdata=$KLAB_ROOT/tools/oops-decode/testdata
default_cases() {
	case $KNAME in
	lab) echo "lab:divide-error lab:exception lab:warning" ;;
	lab-debug) echo "lab-debug:read-after-free lab-debug:shift" ;;
	debian) echo "debian:divide-error" ;;
	esac
	# the debug flavour's cases as well, when its kernel and image are there already
	if [ "$KNAME" = lab ] && [ -f "$(FLAVOR=debug "$KLAB_ROOT/tools/lib/paths.sh" | sed -n 's/^IMAGE=//p')" ]; then
		echo "lab-debug:read-after-free lab-debug:shift"
	fi
}
read -r -a todo <<<"${OOPS_GALLERY_CASES:-$(default_cases | tr '\n' ' ')}"
if [ ! -f "$KIMAGE" ] || [ ! -f "$IMAGE" ] || [ ! -x "$BIN_DIR/oops-decode" ] || [ ! -d "$EXT_DIR/modules/oops_gallery" ]; then
	skip_all "needs the kernel, image, modules and tools (make inject tools)"
fi
norm() { sed -E 's/\[ *[0-9]+\.[0-9]+\] //; s/[0-9a-f]{8,}/X/g; s/[0-9]+/N/g'; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for kc in "${todo[@]}"; do
	kname=${kc%%:*} name=${kc#*:}
	exp=$testdata/$kname/$name.expected
	if [ ! -f "$exp" ]; then
		skip "$kc re-provoked" "no capture $exp"
		continue
	fi
	flavor=
	[ "$kname" = "${kname#lab-}" ] || flavor=${kname#lab-}
	kernel=${kname%%-*}
	rc=0
	KERNEL=$kernel FLAVOR=$flavor "$KLAB_ROOT/vm/debug/oops.sh" "$name" >"$out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$kc: make oops CASE=$name (exit $rc)" "$(tail -n 30 "$out")"
		continue
	fi
	log=$(KERNEL=$kernel FLAVOR=$flavor "$KLAB_ROOT/tools/lib/paths.sh" | sed -n 's/^LOG_DIR=//p')/oops/$kname/$name.serial.log
	want=$(sed -n 's/^classify: //p' "$exp" | head -n 1)
	got=$("$BIN_DIR/oops-decode" --classify "$log" | head -n 1)
	expect_eq "$kc: the first report's kind and first line (numbers aside)" "$(norm <<<"$want")" "$(norm <<<"$got")"
	want=$(sed -n 's/^fault_function: //p' "$exp")
	got=$("$BIN_DIR/oops-decode" --parse-only "$log" | sed -n 's/^fault_function: //p' || true)
	expect_eq "$kc: the faulting function" "$want" "$got"
	src=$(sed -n 's/^source: //p' "$exp")
	if grep -qE "(^| |/)${src//./\\.}\b" "$out"; then ok "$kc: the trace resolves it to $src"; else
		not_ok "$kc: the trace resolves it to $src" "$(sed -n '/^=== 3\./,/^=== 4\./p' "$out")"
	fi
done
tap_done
