#!/usr/bin/env bash
# `make oops [CASE=name]`: provoke one crash of the gallery (vm/debug/oops-cases) in a VM
# (snapshot), then trace it to its source line as a student does by hand, each command printed
# before its output:
#   1. the report's kind and first line      oops-decode --classify
#   2. the faulting function + offset        the RIP line (or the report's "in func+off")
#   3. the source line                       readelf + addr2line (2B's NULL store), faddr2line
#   4. the machine code around the fault     objdump -d -M intel -S, the fault marked -->
#   5. the call trace, frame by frame        oops-decode --vmlinux --modules
# Usage: vm/debug/oops.sh [CASE|list] [TRIES]
#   CASE   default null: exercise 2B, the buggy test.ko loaded until it oopses (at most TRIES)
#   list   every case, where it runs, and one line on what it teaches
# Env: BUILD_DIR, KERNEL, FLAVOR (cases that need a detector run with FLAVOR=debug), KOUT, VMLINUX;
#   OOPS_LOG=FILE: trace that console log of the case instead of booting a VM (no new crash).
# Output: the trace; the serial log in LOG_DIR/oops/KNAME/CASE.serial.log (KNAME: lab, lab-debug, debian).
# Exit: 0 reproduced and traced, 1 no report, a report of another kind, or the trace failed,
#       2 unknown case or one this kernel cannot show, 125 setup error (missing module, kernel, tools).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

cases=$KLAB_ROOT/vm/debug/oops-cases
name=${1:-null}
tries=${2:-20}
decode=$BIN_DIR/oops-decode

# The fields of a case (name kernels kind trigger teaches), one per line; nothing if unknown.
case_fields() {
	awk -F' *[|] *' -v n="$1" '!/^#/ && $1 == n { for (i = 1; i <= 5; i++) print $i }' "$cases"
}
where() { # KERNELS: in words
	case $1 in
	any) echo "every kernel" ;;
	lab) echo "lab kernels" ;;
	*) echo "FLAVOR=$1" ;;
	esac
}
runs_here() { # KERNELS: whether the selected kernel makes this report
	case $1 in
	any) true ;;
	lab) [ "$KERNEL" = lab ] ;;
	*) [ "${FLAVOR:-}" = "$1" ] ;;
	esac
}

if [ "$name" = list ]; then
	echo "make oops CASE=name: a kernel crash provoked in the VM and traced to its source line."
	echo "Cases (where it runs; the kind oops-decode --classify gives its report; what it teaches):"
	awk -F' *[|] *' '!/^#/ { print $1 "|" $2 "|" $3 "|" $5 }' "$cases" | while IFS='|' read -r n k kind teaches; do
		printf '  %-16s %-13s %-10s %s\n' "$n" "$(where "$k")" "$kind" "$teaches"
	done
	echo "FLAVOR=debug cases need the debug kernel: make oops CASE=name FLAVOR=debug (its own build, image, logs)."
	exit 0
fi
mapfile -t f < <(case_fields "$name")
if [ ${#f[@]} -ne 5 ]; then
	echo "oops.sh: no case '$name' (make oops CASE=list)" >&2
	exit 2
fi
kernels=${f[1]} want_kind=${f[2]} trigger=${f[3]} teaches=${f[4]}
if ! runs_here "$kernels"; then
	if [ "$kernels" = lab ]; then
		echo "oops.sh: CASE=$name needs LKDTM, which KERNEL=$KERNEL lacks: run it on a lab kernel (make oops CASE=$name KERNEL=lab)" >&2
	else
		echo "oops.sh: CASE=$name needs a detector of FLAVOR=$kernels: make oops CASE=$name FLAVOR=$kernels" >&2
	fi
	exit 2
fi

# The unstripped modules a trace may go through: the lab's, and LKDTM from the kernel build.
outdir=$LOG_DIR/oops/$KNAME
moddir=$outdir/modules
buggy=$EXT_DIR/my_first_module-buggy/test.ko
gallery=$EXT_DIR/modules/oops_gallery/oops_gallery.ko
guest_lab=/root/lab/modules
case $trigger in
buggy)
	need=$buggy
	guest="lab-oops-case $name buggy $guest_lab/my_first_module-buggy/test.ko $tries"
	limit=$((60 + tries * 10))
	;;
lkdtm\ *)
	need=$decode
	guest="lab-oops-case $name lkdtm ${trigger#lkdtm }"
	limit=180
	;;
gallery\ *)
	need=$gallery
	guest="lab-oops-case $name gallery $guest_lab/oops_gallery/oops_gallery.ko ${trigger#gallery }"
	limit=180
	;;
*) die "vm/debug/oops-cases: case $name has an unknown trigger '$trigger'" ;;
esac
# KASAN and lockdep make the debug kernel several times slower under TCG
[ -z "${FLAVOR:-}" ] || limit=$((limit * 2))
for p in "$need:make modules" "$decode:make tools"; do
	[ -f "${p%%:*}" ] || { echo "oops.sh: missing ${p%%:*}: run '${p#*:}'" >&2; exit 125; }
done
rm -rf "$moddir"
mkdir -p "$moddir"
for ko in "$buggy" "$gallery" "$KOUT/drivers/misc/lkdtm/lkdtm.ko"; do
	[ ! -f "$ko" ] || ln -s "$ko" "$moddir/"
done
log=$outdir/$name.serial.log
# faddr2line and decode_stacktrace.sh: from the kernel's tree, or any Linux tree (Debian's
# headers have none; the scripts work on any ELF)
scripts=
for d in "$KOUT/source/scripts" ${KSRC:+"$KSRC/scripts"} "$BUILD_DIR/src/linux-source-6.12/scripts"; do
	[ -x "$d/faddr2line" ] && scripts=$d && break
done

heading() { printf '\n=== %s\n' "$*"; }
show() { # show CMD...: print the command as a student would type it, then run it
	printf '$ %s\n' "$*"
	"$@"
}
field() { sed -n "s/^$1: //p" <<<"$parsed"; }

if [ -n "${OOPS_LOG:-}" ]; then
	[ -f "$OOPS_LOG" ] || die "OOPS_LOG=$OOPS_LOG: no such file"
	log=$OOPS_LOG
	stage "CASE=$name on $KNAME, from $log: $teaches"
else
	stage "CASE=$name on $KNAME: $teaches" "15-60 s under TCG"
	echo "guest: $guest"
	rc=0
	"$KLAB_ROOT/run-vm.sh" --log "$log" --timeout "$limit" --exec "$guest" || rc=$?
	case $rc in
	0) ;;
	120) echo "(the guest kernel died: run-vm.sh exit 120)" ;;
	*) die "the crash was not provoked (run-vm.sh exit $rc); serial log: $log" ;;
	esac
fi

heading "1. What kind of report is it? (its first line; oops-decode --classify lists every report of the log)"
printf '$ %s --classify %s\n' "$decode" "$log"
reports=$(crash_reports "$log")
[ -n "$reports" ] || die "no kernel crash report in $log"
printf '%s\n' "$reports"
kind=$(head -n 1 <<<"$reports" | cut -f1)
status=0
if [ "$kind" != "$want_kind" ]; then
	note "the gallery expects its first report to be of kind '$want_kind' (vm/debug/oops-cases), not '$kind'"
	status=1
fi

heading "2. Where did it happen? (the faulting function + offset / its size [module])"
# Exit 4 (a report cut short) still carries what was found.
parsed=$("$decode" --parse-only "$log") || [ $? -eq 4 ] || die "oops-decode found no crash report in $log"
grep -a -m 1 -F "$(field header_line)" "$log" || true
# the kernel's RIP (code segment 0010), not a user-space one of the same report
grep -a -m 1 -E 'RIP: 0010:' "$log" || true
func=$(field fault_function) offset=$(field fault_offset) size=$(field fault_size) module=$(field fault_module)
retaddr=0
# A report with no kernel RIP line whose header names no function+offset has no faulting
# instruction: oops-decode's fault is then only its first frame after the reporting ones.
no_pc=0
if "$decode" "$log" 2>/dev/null | grep -q '^RIP line: *(none)' && [[ $(field header_line) != *+0x* ]]; then
	no_pc=1
fi
if [ "$func" = none ] || [ -z "$func" ] || [ "$no_pc" = 1 ]; then
	# No function at the fault: RIP 0 (a call through NULL), or a report without a faulting
	# instruction (lockdep, a sleep in atomic context, a hung task, UBSAN). Where to look is the call
	# trace: its first frame in a module (the lab's code, or LKDTM's), else its first frame
	# after the reporting machinery (dump_stack, panic, the detectors' own functions).
	frames=$("$decode" "$log" 2>/dev/null | sed -n '/^Call Trace:/,/^[A-Z]/p' | grep -E '^ +[^ ]+\+0x[0-9a-f]+/0x[0-9a-f]+' || true)
	frame=$(grep -m 1 -E '^ +[^ ]+ \[[^]]+\]' <<<"$frames" || true)
	why="its first frame in a module"
	if [ -z "$frame" ]; then
		first=$(field call_trace_first3_after_reporting_frames | cut -d, -f1)
		frame=$(grep -m 1 -E "^ +${first%% *}\+0x" <<<"$frames" || true)
		why="its first frame after the reporting functions"
	fi
	[ -n "$frame" ] || die "the report names no function, and no call-trace frame to follow"
	read -r fo fm _ <<<"$frame"
	[[ $fm == \[*\] ]] || fm=
	func=${fo%%+*} offset=${fo#*+} size=${offset#*/} offset=${offset%/*}
	module=${fm:-none}
	module=${module#[}
	module=${module%]}
	echo "the report names no faulting instruction; the call trace, $why: $fo${fm:+ $fm}"
	# a frame's address is a return address: the call before it is the line that matters
	retaddr=1
	echo "(a return address: the call is the instruction before it, so look up $func+$(printf '0x%x' $((offset - 1))))"
fi
case $(field header_line) in
*"BUG: KASAN:"* | *"stack-protector:"* | *"UBSAN: "*)
	# KASAN names its caller (_RET_IP_ of the check or the free), the stack protector
	# __stack_chk_fail's return address, UBSAN's location is the frame that called its
	# handler: the call before it is the line that matters
	retaddr=1
	echo "(the report's location is a return address: look up $func+$(printf '0x%x' $((offset - 1))))"
	;;
esac
echo "fault: $func+$offset/$size in ${module/#none/the kernel (vmlinux)}"
if [ "$module" = none ]; then obj=$VMLINUX; else obj=$moddir/$module.ko; fi
if [ ! -f "$obj" ]; then
	echo "(no $obj with debug info: no source line)"
	[ "$KERNEL" != debian ] || [ "$module" != none ] ||
		echo "(KERNEL=debian: DEBIAN_DBG=1 make kernel KERNEL=debian fetches its debug vmlinux, 855 MB)"
else
	obj=$(readlink -f "$obj")
	# The symbol: readelf --symbols gives its value (section-relative in a .ko), size, section.
	sym=$(readelf --symbols --wide "$obj" | awk -v f="$func" -v s="$((size))" '$8 == f && $4 == "FUNC" && ($3 + 0 == s || s == 0)' | head -n 1)
	[ -n "$sym" ] || sym=$(readelf --symbols --wide "$obj" | awk -v f="$func" '$8 == f && $4 == "FUNC"' | head -n 1)
	[ -n "$sym" ] || die "no function $func in $obj"
	read -r _ value fsize _ _ _ ndx _ <<<"$sym"
	section=$(readelf --sections --wide "$obj" | sed -n "s/^ *\[ *$ndx\] \([^ ]*\) .*/\1/p")
	addr=$(printf '0x%x' $((0x$value + offset)))

	if [ "$name" = null ]; then
		heading "3. Which source line? Where is $func in ${obj##*/} (readelf --symbols), then addr2line"
		printf '$ readelf --symbols --wide %s | grep " %s$"\n%s\n' "${obj##*/}" "$func" "$sym"
		echo "$func is at $section+0x$value (size $fsize); the fault at +$offset is $section+$addr"
		show addr2line --functions --inlines --pretty-print --exe="$obj" --section="$section" "$addr"
	else
		heading "3. Which source line? (faddr2line: function+offset to file:line, through inlined functions)"
		[ -n "$scripts" ] || die "no Linux tree with scripts/faddr2line (make kernel extracts one; or KSRC=)"
		out=$(show "$scripts/faddr2line" "$obj" "$func+$(printf '0x%x' $((offset - retaddr)))/$size" 2>&1) || true
		printf '%s\n' "$out"
		if grep -q 'size mismatch' <<<"$out"; then
			# kallsyms' size (up to the next symbol) differs from the ELF symbol's, as for a
			# gcc .cold part: without the size, faddr2line takes the offset as it is
			out=$(show "$scripts/faddr2line" "$obj" "$func+$(printf '0x%x' $((offset - retaddr)))" 2>&1) || true
			printf '%s\n' "$out"
		fi
		# the innermost location: the first "at file:line" faddr2line prints
		loc=$(grep -m 1 -oE ' at [^ ]+:[0-9]+' <<<"$out" | sed 's/^ at //')
		if [ -n "$loc" ]; then
			file=${loc%:*} line=${loc##*:}
			for src in "$file" "$KOUT/source/$file"; do [ -f "$src" ] && break; done
			if [ -f "$src" ]; then
				printf '$ sed -n %d,%dp %s\n' "$((line > 3 ? line - 3 : 1))" "$((line + 2))" "$src"
				awk -v l="$line" 'NR >= l - 3 && NR <= l + 2 { printf "%s %5d  %s\n", (NR == l ? "-->" : "   "), NR, $0 }' "$src"
			fi
		else
			echo "(faddr2line found no line: is $obj built with debug info?)"
		fi
	fi

	heading "4. The machine code around it, with the source (objdump -d -M intel -S); --> marks the fault"
	start=$(printf '0x%x' $((0x$value)))
	stop=$(printf '0x%x' $((0x$value + fsize)))
	sec=()
	[ "$module" = none ] || sec=(--section="$section")
	printf '$ objdump -d -M intel -S %s--start-address=%s --stop-address=%s %s\n' "${sec[*]/%/ }" "$start" "$stop" "$obj"
	# A long function: the 30 lines before the fault and 8 after.
	objdump -d -M intel -S --no-show-raw-insn "${sec[@]}" --start-address="$start" --stop-address="$stop" "$obj" |
		sed -n '/>:$/,$p' |
		awk -v a="${addr#0x}" -v ret="$retaddr" '
			# the instruction at the fault; for a return address, the one before it (the call)
			{ line[NR] = $0
			  if (match($0, "^ *[0-9a-f]+:")) {
				x = substr($0, RSTART, RLENGTH - 1); sub(/^ */, "", x)
				if (x == a) { if (!ret) at = NR; else if (prev) at = prev }
				prev = NR
			  } }
			END { from = 1; to = NR
				if (at && NR > 45) { from = at > 30 ? at - 30 : 1; to = at + 8 < NR ? at + 8 : NR }
				if (from > 1) print "    ..."
				for (i = from; i <= to; i++) print (i == at ? "--> " : "    ") line[i]
				if (to < NR) print "    ..." }'
fi

heading "5. The call trace, every frame resolved to file:line"
resolve=(--modules "$moddir")
if [ -f "$VMLINUX" ]; then resolve+=(--vmlinux "$VMLINUX"); else
	echo "(no vmlinux with debug info at $VMLINUX: kernel frames stay symbol+offset)"
fi
printf '$ %s %s %s\n' "$decode" "${resolve[*]}" "$log"
# Exit 3 (some frame unresolved) and 4 (report cut short) still print what was resolved.
rc=0
"$decode" "${resolve[@]}" "$log" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || [ "$rc" -eq 4 ] || status=1
[ -z "$scripts" ] || [ ! -f "$VMLINUX" ] || echo "(the kernel's own tool does the same, slower: $scripts/decode_stacktrace.sh $VMLINUX auto $moddir < $log)"
exit "$status"
