#!/usr/bin/env bash
# make oops end to end: the buggy module's real oops in our guest resolves to the line of the
# NULL store in init() of test.ko, and the call trace names do_one_initcall and do_init_module
# with file:line. The lab's follow-up (lsmod, /proc/modules, rmmod) is shown.
set -euo pipefail
ROOT=${KLAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tools/paths.sh
. "$ROOT/tools/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
expect() { expect_line "$out" "$@"; }

src=$KOUT-ext/my_first_module-buggy/my_first_module.c
if [ ! -f "$KIMAGE" ] || [ ! -f "$IMAGE" ] || [ ! -f "$src" ] || [ ! -x "$BUILD_DIR/bin/oops-decode" ]; then
	echo "ok - make oops end to end # SKIP needs kernel, image, modules and tools (make inject tools)"
	exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$ROOT/vm/oops.sh" >"$out" 2>&1 || rc=$?
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
tap_finish
