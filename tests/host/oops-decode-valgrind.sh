#!/usr/bin/env bash
# oops-decode under valgrind: no memory errors or leaks on every corpus log (all three output
# modes, and --classify with stray bytes and CR line ends), on bad input and on a small
# resolution run; bad inputs give their documented exit status and a message, never a signal.
# Env: BUILD_DIR. Exit: 0 all passed or skipped, 1 not.
set -euo pipefail
# shellcheck source=tests/host/oops-decode-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/oops-decode-lib.sh"

W=$BUILD_DIR/tests/oops-decode-valgrind
VG_ERR=99

if ! command -v valgrind >/dev/null; then
	skip "oops-decode under valgrind" "valgrind is not installed"
	tap_done
fi
build_oops_decode all
rm -rf "$W"
mkdir -p "$W"

# vg DESC EXPECTED-STATUS NEED-MESSAGE ARGS...: one TAP line. NEED-MESSAGE: yes when a
# message on stderr is part of the contract.
vg() {
	local desc=$1 want=$2 need_msg=$3 rc=0 why=
	shift 3
	valgrind -q --leak-check=full --error-exitcode=$VG_ERR \
		--log-file="$W/vg.log" "$BIN" "$@" >"$W/out" 2>"$W/err" || rc=$?
	if [[ $rc -eq $VG_ERR ]] || [[ -s $W/vg.log ]]; then
		why="valgrind reported errors"
	elif ((rc >= 128)); then
		why="killed by signal $((rc - 128))"
	elif [[ $rc -ne $want ]]; then
		why="exit status $rc, expected $want"
	elif [[ $need_msg == yes ]] && ! grep -q '^oops-decode: ' "$W/err"; then
		why="no message on stderr"
	fi
	if [[ -z $why ]]; then
		ok "$desc"
	else
		not_ok "$desc" "$why" "$(head -n 40 "$W/vg.log" "$W/err")"
	fi
}

if have_corpus "valgrind on corpus logs"; then
	for log in "$CORPUS"/*.log; do
		name=$(basename "$log" .log)
		vg "valgrind clean: --parse-only $name" 0 no --parse-only "$log"
		vg "valgrind clean: report $name" 0 no "$log"
		vg "valgrind clean: --classify $name" 0 no --classify "$log"
		# a NUL and an escape sequence before every line, CR as the only line end
		sed 's/^/\x00\x1b[0m/' "$log" | tr '\n' '\r' >"$W/mangled.log"
		vg "valgrind clean: --classify, stray bytes and CR line ends, $name" 0 no \
			--classify "$W/mangled.log"
	done
fi

# A log cut inside its call trace (made here so it needs no corpus).
cat >"$W/truncated.log" <<'LOG'
[   42.863016] kernel BUG at drivers/foo/foo.c:12!
[   42.863016] invalid opcode: 0000 [#1] SMP
[   42.863016] RIP: 0010:[<ffffffffa0525326>]  [<ffffffffa0525326>] foo_bar.part.8+0x4/0x6 [foo]
[   42.863016] Call Trace:
[   42.863016]  [<ffffffffa0522544>] foo_scan+0x3f4/0x480 [foo]
[   42.863016]  [<ffffffffa026ec78>] ? nl80211_trigger_scan+0xf8/0x610 [cfg80211]
[   42.863016]  [<ffffffffa026f005>] nl80211_trigger_scan+0x485/0x610 [cfg80211]
[   42.863016]  [<ffffffff81536f70>] genl_rcv_msg+0x2
LOG
: >"$W/empty.log"
head -c 65536 /dev/urandom >"$W/random.bin"
head -c 1048576 /dev/zero | tr '\0' 'x' >"$W/longline.log"
printf 'BUG: unable to handle page fault for address: 0000000000001234\n' >"$W/header-only.log"
# long runs of what a line end or a line's start is made of: linear time, or valgrind times out
head -c 262144 /dev/zero | tr '\0' '\r' >"$W/cr.log"
for ((i = 0; i < 16384; i++)); do printf '\x1b]\x1b[\x00 '; done >"$W/escapes.log"

vg "empty file: exit 1 with a message" 1 yes "$W/empty.log"
vg "empty standard input: exit 1 with a message" 1 yes - <"$W/empty.log"
vg "empty file, --classify: exit 1 ('none')" 1 no --classify "$W/empty.log"
vg "/dev/urandom bytes: exit 1 with a message" 1 yes "$W/random.bin"
vg "/dev/urandom bytes, --parse-only: exit 1 with a message" 1 yes --parse-only "$W/random.bin"
vg "/dev/urandom bytes, --classify: exit 1 ('none')" 1 no --classify "$W/random.bin"
vg "one 1 MiB line: exit 1 with a message" 1 yes "$W/longline.log"
vg "one 1 MiB line, --classify: exit 1 ('none')" 1 no --classify "$W/longline.log"
vg "256 KiB of CRs, --classify: exit 1 ('none')" 1 no --classify "$W/cr.log"
vg "256 KiB of CRs, --parse-only: exit 1 with a message" 1 yes --parse-only "$W/cr.log"
vg "escape sequences, NULs and spaces only, --classify: exit 1 ('none')" 1 no --classify "$W/escapes.log"
vg "report cut mid-trace: exit 4 with a message" 4 yes "$W/truncated.log"
vg "report cut mid-trace, --parse-only: exit 4 with a message" 4 yes --parse-only "$W/truncated.log"
vg "report cut mid-trace, --classify: exit 0" 0 no --classify "$W/truncated.log"
vg "header without a trace: exit 4 with a message" 4 yes "$W/header-only.log"
vg "missing log file: exit 2 with a message" 2 yes "$W/no-such.log"
vg "missing log file, --classify: exit 2 with a message" 2 yes --classify "$W/no-such.log"
vg "directory as log: exit 2 with a message" 2 yes "$W"
vg "unknown option: exit 2 with a message" 2 yes --no-such-option
vg "--vmlinux without FILE: exit 2 with a message" 2 yes --vmlinux
vg "--classify with --parse-only: exit 2 with a message" 2 yes --classify --parse-only "$W/truncated.log"
vg "missing --vmlinux file: exit 2 with a message" 2 yes --vmlinux "$W/nope" "$W/truncated.log"
vg "--vmlinux that is not ELF, module not found: exit 3 with a message" 3 yes \
	--vmlinux "$W/random.bin" --modules "$W" "$W/truncated.log"

# Resolution path (ELF reader, module search, addr2line, objdump).
mkdir -p "$W/mods/sub"
cat >"$W/t.c" <<'SRC'
__attribute__((noinline)) int foo_store(int *p, int v)
{
	p[v] = v;
	return v + 1;
}
SRC
if out=$(gcc -g -O1 -c "$W/t.c" -o "$W/mods/sub/foo.ko" 2>&1); then
	cat >"$W/mod.log" <<'LOG'
[   10.000000] BUG: kernel NULL pointer dereference, address: 0000000000000014
[   10.000004] RIP: 0010:foo_store+0x4/0x10 [foo]
[   10.000006] Call Trace:
[   10.000007]  <TASK>
[   10.000008]  foo_store+0x8/0x10 [foo]
[   10.000009]  bar_fn+0x10/0x20 [bar]
[   10.000010]  do_one_initcall+0x4c/0x200
[   10.000013]  </TASK>
LOG
	vg "valgrind clean: resolution + --disasm, missing objects: exit 3" 3 yes \
		--modules "$W/mods" --disasm "$W/mod.log"
else
	not_ok "compile resolution fixture" "$out"
fi
tap_done
