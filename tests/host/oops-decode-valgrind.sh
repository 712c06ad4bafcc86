#!/usr/bin/env bash
# oops-decode under valgrind: no memory errors or leaks on every corpus log
# (both output modes) and on a small resolution run; bad inputs give their
# documented exit status and a message, never a signal.
set -euo pipefail

KLAB_ROOT=${KLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$KLAB_ROOT/build}
CORPUS=$KLAB_ROOT/../shared/oops-corpus
BIN=$BUILD_DIR/bin/oops-decode
W=$BUILD_DIR/tests/oops-decode-valgrind
VG_ERR=99
fail=0

if ! command -v valgrind >/dev/null; then
	echo "ok - oops-decode under valgrind # SKIP valgrind not installed"
	exit 0
fi
if ! out=$(make -s -C "$KLAB_ROOT/tools/oops-decode" BUILD_DIR="$BUILD_DIR" 2>&1); then
	echo "not ok - build oops-decode"
	while IFS= read -r l; do echo "# $l"; done <<<"$out"
	exit 1
fi
rm -rf "$W"
mkdir -p "$W"

# vg DESC EXPECTED-STATUS NEED-MESSAGE ARGS...: one TAP line.
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
		echo "ok - $desc"
		return
	fi
	echo "not ok - $desc"
	echo "# $why"
	cat "$W/vg.log" "$W/err" | head -n 40 | while IFS= read -r l; do echo "# $l"; done
	fail=1
}

if [[ -d $CORPUS ]]; then
	for log in "$CORPUS"/*.log; do
		name=$(basename "$log" .log)
		vg "valgrind clean: --parse-only $name" 0 no --parse-only "$log"
		vg "valgrind clean: report $name" 0 no "$log"
	done
else
	echo "ok - valgrind on corpus logs # SKIP ../shared/oops-corpus not present"
fi

# A log cut inside its call trace (made here so it needs no corpus).
cat >"$W/truncated.log" <<'EOF'
[   42.863016] kernel BUG at drivers/foo/foo.c:12!
[   42.863016] invalid opcode: 0000 [#1] SMP
[   42.863016] RIP: 0010:[<ffffffffa0525326>]  [<ffffffffa0525326>] foo_bar.part.8+0x4/0x6 [foo]
[   42.863016] Call Trace:
[   42.863016]  [<ffffffffa0522544>] foo_scan+0x3f4/0x480 [foo]
[   42.863016]  [<ffffffffa026ec78>] ? nl80211_trigger_scan+0xf8/0x610 [cfg80211]
[   42.863016]  [<ffffffffa026f005>] nl80211_trigger_scan+0x485/0x610 [cfg80211]
[   42.863016]  [<ffffffff81536f70>] genl_rcv_msg+0x2
EOF
: >"$W/empty.log"
head -c 65536 /dev/urandom >"$W/random.bin"
head -c 1048576 /dev/zero | tr '\0' 'x' >"$W/longline.log"
printf 'BUG: unable to handle page fault for address: 0000000000001234\n' >"$W/header-only.log"

vg "empty file: exit 1 with a message" 1 yes "$W/empty.log"
vg "empty standard input: exit 1 with a message" 1 yes - <"$W/empty.log"
vg "/dev/urandom bytes: exit 1 with a message" 1 yes "$W/random.bin"
vg "/dev/urandom bytes, --parse-only: exit 1 with a message" 1 yes --parse-only "$W/random.bin"
vg "one 1 MiB line: exit 1 with a message" 1 yes "$W/longline.log"
vg "report cut mid-trace: exit 4 with a message" 4 yes "$W/truncated.log"
vg "report cut mid-trace, --parse-only: exit 4 with a message" 4 yes --parse-only "$W/truncated.log"
vg "header without a trace: exit 4 with a message" 4 yes "$W/header-only.log"
vg "missing log file: exit 2 with a message" 2 yes "$W/no-such.log"
vg "directory as log: exit 2 with a message" 2 yes "$W"
vg "unknown option: exit 2 with a message" 2 yes --no-such-option
vg "missing --vmlinux file: exit 2 with a message" 2 yes --vmlinux "$W/nope" "$W/truncated.log"
vg "--vmlinux that is not ELF, module not found: exit 3 with a message" 3 yes \
	--vmlinux "$W/random.bin" --modules "$W" "$W/truncated.log"

# Resolution path (ELF reader, module search, addr2line, objdump).
mkdir -p "$W/mods/sub"
cat >"$W/t.c" <<'EOF'
__attribute__((noinline)) int foo_store(int *p, int v)
{
	p[v] = v;
	return v + 1;
}
EOF
if gcc -g -O1 -c "$W/t.c" -o "$W/mods/sub/foo.ko" 2>"$W/err"; then
	cat >"$W/mod.log" <<'EOF'
[   10.000000] BUG: kernel NULL pointer dereference, address: 0000000000000014
[   10.000004] RIP: 0010:foo_store+0x4/0x10 [foo]
[   10.000006] Call Trace:
[   10.000007]  <TASK>
[   10.000008]  foo_store+0x8/0x10 [foo]
[   10.000009]  bar_fn+0x10/0x20 [bar]
[   10.000010]  do_one_initcall+0x4c/0x200
[   10.000013]  </TASK>
EOF
	vg "valgrind clean: resolution + --disasm, missing objects: exit 3" 3 yes \
		--modules "$W/mods" --disasm "$W/mod.log"
else
	echo "not ok - compile resolution fixture"
	fail=1
fi

exit "$fail"
