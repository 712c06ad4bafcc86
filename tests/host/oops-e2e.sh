#!/usr/bin/env bash
# make oops end to end: the buggy module's real oops in our guest resolves to the line of the
# NULL store in init() of test.ko, and the call trace names do_one_initcall and do_init_module
# with file:line. The lab's follow-up (lsmod, /proc/modules, rmmod) is shown.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"
expect() { expect_line "$out" "$@"; }

src=$EXT_DIR/my_first_module-buggy/my_first_module.c
if [ ! -f "$KIMAGE" ] || [ ! -f "$IMAGE" ] || [ ! -f "$src" ] || [ ! -x "$BIN_DIR/oops-decode" ]; then
	skip_all "needs kernel, image, modules and tools (make inject tools)"
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$KLAB_ROOT/vm/debug/oops.sh" >"$out" 2>&1 || rc=$?
sed 's/^/#   | /' "$out"
if [ "$rc" -eq 0 ]; then ok "make oops reproduces and traces the oops"; else
	not_ok "make oops reproduces and traces the oops (exit $rc)"
fi

line=$(grep -n 'NULL) = 0xff;' "$src" | cut -d: -f1)
expect "the oops header is shown" 'BUG: kernel NULL pointer dereference'
expect "the RIP line names init in test" 'RIP: 0010:init\+0x[0-9a-f]+/0x[0-9a-f]+ \[test\]'
expect "lsmod shows test with use count 1" '^test +[0-9]+ +1'
expect "/proc/modules shows it Loading" '^test .* Loading '
expect "rmmod test fails: in use" 'Module test is in use'
expect "readelf locates init in .init.text" 'init is at \.init\.text\+0x'
expect "addr2line gives the line of the NULL store ($line)" "my_first_module\.c:$line\b"
expect "objdump marks the faulting instruction" '^--> '
expect "the call trace resolves do_one_initcall to file:line" 'do_one_initcall\+0x[0-9a-f]+/0x[0-9a-f]+.*main\.c:[0-9]+'
expect "the call trace resolves do_init_module to file:line" 'do_init_module\+0x[0-9a-f]+/0x[0-9a-f]+.*main\.c:[0-9]+'
tap_done
