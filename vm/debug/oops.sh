#!/usr/bin/env bash
# `make oops`: boot the lab (snapshot), load the buggy test.ko until it oopses, show the lab's
# follow-up, then trace the oops as the lab does by hand: RIP -> symbol + offset (readelf) ->
# file:line (addr2line) -> disassembly with source (objdump -d -M intel -S) -> call trace.
# Usage: vm/debug/oops.sh [TRIES]      env: BUILD_DIR, KERNEL, KOUT, VMLINUX
# Exit: 0 oops reproduced and traced, 1 no oops in TRIES loads or the trace failed,
#       125 setup error (missing module, kernel or tools).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

tries=${1:-20}
moddir=$EXT_DIR/my_first_module-buggy
ko=$moddir/test.ko
decode=$BIN_DIR/oops-decode
vmlinux=$VMLINUX
log=$LOG_DIR/oops.serial.log
for f in "$ko:make modules" "$decode:make tools"; do
	[ -f "${f%%:*}" ] || { echo "oops.sh: missing ${f%%:*}: run '${f#*:}'" >&2; exit 125; }
done
mkdir -p "$LOG_DIR"

heading() { printf '\n=== %s\n' "$*"; }
show() { # show CMD...: print the command as a student would type it, then run it
	printf '$ %s\n' "$*"
	"$@"
}

stage "booting the VM; loading the buggy test.ko until it oopses (at most $tries loads)" "~15 s under TCG"
rc=0
"$KLAB_ROOT/run-vm.sh" --log "$log" --timeout $((60 + tries * 10)) \
	--exec "lab-oops-loop /root/lab/modules/my_first_module-buggy/test.ko $tries" || rc=$?
[ "$rc" -eq 0 ] || die "no oops reproduced (run-vm.sh exit $rc); serial log: $log"

heading "The oops (full serial log: $log)"
# Exit 4 (a report cut short) still carries what was found.
parsed=$("$decode" --parse-only "$log") || [ $? -eq 4 ] || die "oops-decode found no crash report in $log"
grep -a -m 1 -F "$(sed -n 's/^header_line: //p' <<<"$parsed")" "$log" || true
grep -a -m 1 -E 'RIP: [0-9a-f]{4}:' "$log" || true
func=$(sed -n 's/^fault_function: //p' <<<"$parsed")
offset=$(sed -n 's/^fault_offset: //p' <<<"$parsed")
module=$(sed -n 's/^fault_module: //p' <<<"$parsed")
echo "fault: $func+$offset in module $module"
[ "$module" = test ] || die "the fault is not in test.ko (module '$module')"

heading "Where is $func in test.ko? (readelf --symbols: section-relative value, size, section)"
sym=$(readelf --symbols --wide "$ko" | awk -v f="$func" '$8 == f && $4 == "FUNC"' | head -n 1)
printf '$ readelf --symbols --wide test.ko | grep " %s$"\n%s\n' "$func" "$sym"
read -r _ value size _ _ _ ndx _ <<<"$sym"
section=$(readelf --sections --wide "$ko" | sed -n "s/^ *\[ *$ndx\] \([^ ]*\) .*/\1/p")
addr=$(printf '0x%x' $((0x$value + offset)))
echo "$func is at $section+0x$value (size $size); the fault at +$offset is $section+$addr"

heading "Which source line? (addr2line)"
show addr2line --functions --inlines --pretty-print --exe="$ko" --section="$section" "$addr"

heading "The machine code around it, with the source (objdump -d -M intel -S); --> marks the fault"
start=$(printf '0x%x' $((0x$value)))
stop=$(printf '0x%x' $((0x$value + size)))
printf '$ objdump -d -M intel -S --section=%s --start-address=%s --stop-address=%s test.ko\n' "$section" "$start" "$stop"
objdump -d -M intel -S --no-show-raw-insn --section="$section" --start-address="$start" --stop-address="$stop" "$ko" |
	sed -n '/>:$/,$p' |
	awk -v a="${addr#0x}" '{ if (match($0, "^ *" a ":")) print "--> " $0; else print "    " $0 }'

heading "The call trace, every frame resolved to file:line"
resolve=(--modules "$moddir")
if [ -f "$vmlinux" ]; then resolve+=(--vmlinux "$vmlinux"); else
	echo "(no vmlinux with debug info at $vmlinux: kernel frames stay symbol+offset)"
fi
# Exit 3 (some frame unresolved) and 4 (report cut short) still print what was resolved.
"$decode" "${resolve[@]}" "$log" || { rc=$?; [ "$rc" -eq 3 ] || [ "$rc" -eq 4 ]; }
