#!/usr/bin/env bash
# Host side of the oops exercise's checks (vm/checks/oops/rubric): compare the student's
# answer.txt with the oops their module caused, as oops-decode resolves it with their test.ko.
# Usage: host.sh CHECK
# Env: KLAB_EX (the build folder: test.ko and the sources it was built from), KLAB_EX_SRC
#   (the student's oops folder, with answer.txt), KLAB_EVIDENCE (the kernel log with the
#   oops), BIN_DIR (oops-decode), VMLINUX (optional).
# Exit: 0 pass, 1 fail, 2 no such check or no evidence.
set -euo pipefail
# shellcheck source=vm/checks/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ -f "${KLAB_EVIDENCE:-}" ] || { echo "no kernel log with the oops (KLAB_EVIDENCE)" >&2; exit 2; }
answers=$KLAB_EX_SRC/answer.txt

# answer KEY: the value of the first "KEY: value" line of answer.txt (empty if none).
answer() {
	[ -f "$answers" ] || return 0
	sed -n "s/^[[:space:]]*$1:[[:space:]]*//p" "$answers" | head -n 1 | sed 's/[[:space:]]*$//'
}

decoded=$("$BIN_DIR/oops-decode" --modules "$KLAB_EX" "$KLAB_EVIDENCE" 2>/dev/null) || true
fault=$(sed -n 's/^Fault: *//p' <<<"$decoded" | head -n 1)
[ -n "$fault" ] || fail "oops-decode found no fault in the kernel log ($KLAB_EVIDENCE)"

check_line() {
	local truth want got
	truth=$(sed -n 's/^ *source: *//p' <<<"$decoded" | head -n 1 | cut -d' ' -f1)
	[ -n "$truth" ] || fail "the fault $fault has no source line (is test.ko built with debug info?)"
	want=$(basename "$truth")
	got=$(answer line | tr -d ' ')
	[ -n "$got" ] || fail "answer.txt has no \"line:\" (the fault is at $fault)"
	[ "$(basename "${got%%:*}"):${got##*:}" = "$want" ] || fail "your answer: $got; the fault ($fault) is not on that line"
	pass "your answer $got is where $fault is"
}

# norm TEXT: an instruction without case, spacing and objdump's trailing "# comment".
norm() { sed -e 's/#.*//' -e 's/[[:space:]]\{1,\}/ /g' -e 's/ *, */,/g' -e 's/^ //' -e 's/ $//' <<<"$1" | tr '[:upper:]' '[:lower:]'; }

check_instruction() {
	local where section addr ko intel att got
	# "  address:  init 0000000000000000 + 0x21 = 0x21 in .init.text of .../test.ko"
	where=$(sed -n 's/^ *address: *//p' <<<"$decoded" | head -n 1)
	addr=$(sed -n 's/.* = \(0x[0-9a-f]*\) in .*/\1/p' <<<"$where")
	section=$(sed -n 's/.* in \([^ ]*\) of .*/\1/p' <<<"$where")
	ko=$(sed -n 's/.* of \(.*\)$/\1/p' <<<"$where")
	if [ -z "$addr" ] || [ -z "$section" ] || [ ! -f "$ko" ]; then
		fail "cannot locate the fault $fault in test.ko ($where)"
	fi
	disasm() { # disasm [-M intel]: the instruction at addr
		objdump -d "$@" --no-show-raw-insn --section="$section" --start-address="$addr" \
			--stop-address=$((addr + 16)) "$ko" | sed -n "s/^ *${addr#0x}:[[:space:]]*//p" | head -n 1
	}
	intel=$(disasm -M intel)
	att=$(disasm)
	got=$(answer instruction)
	[ -n "$got" ] || fail "answer.txt has no \"instruction:\" (the fault is $fault)"
	case $(norm "$got") in
	"$(norm "$intel")" | "$(norm "$att")") pass "your answer \"$got\" is the instruction at $fault" ;;
	esac
	fail "your answer: \"$got\"; the instruction at $fault is not that"
}

run_check "$@"
