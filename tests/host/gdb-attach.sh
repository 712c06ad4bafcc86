#!/usr/bin/env bash
# The two-terminal debugging flow: a VM runs with its gdbstub on (as `make vm GDB=1` starts it),
# `make gdb` (vm/debug/gdb.sh) attaches to it, sets a breakpoint in the buggy module's init, and
# when the guest loads the module gdb stops there, in my_first_module.c, with lx-symbols having
# loaded test.ko from the lab's build folder.
# Env: BUILD_DIR, KERNEL. Exit: 0 passed, 1 failed, 77 skipped (no kernel, image or gdb).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

src=$EXT_DIR/my_first_module-buggy/my_first_module.c
if [ ! -f "$VMLINUX" ] || [ ! -f "$IMAGE" ] || [ ! -f "$src" ] || ! command -v gdb >/dev/null; then
	skip_all "needs vmlinux, image, the buggy module (make inject) and gdb"
fi
work=$(mktemp -d)
vm_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$vm_pid" ] || kill "$vm_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/share"
export GDB_PORT_FILE=$work/gdb-port

# The guest waits for the host's go (gdb holds its breakpoint by then), then loads the module.
ko=/root/lab/modules/my_first_module-buggy/test.ko
GDB_PORT_FILE=$GDB_PORT_FILE "$KLAB_ROOT/run-vm.sh" --gdb --share "$work/share" --timeout 600 --log "$work/serial.log" \
	--exec "echo GDB-READY; until [ -e /mnt/host/go ]; do sleep 0.2; done; insmod $ko; echo insmod-status=\$?" \
	>"$work/vm.out" 2>&1 &
vm_pid=$!
for _ in $(seq 600); do
	grep -q GDB-READY "$work/serial.log" 2>/dev/null && break
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 0.5
done
if ! grep -q GDB-READY "$work/serial.log" 2>/dev/null; then
	bail_out "the VM did not come up: $(tail -n 5 "$work/vm.out" "$work/serial.log" 2>/dev/null)"
fi
check "run-vm.sh --gdb wrote the gdbstub's port for make gdb" test -s "$GDB_PORT_FILE"

line=$(grep -n 'get_random_bytes' "$src" | head -n 1 | cut -d: -f1)
rc=0
timeout 300 "$KLAB_ROOT/vm/debug/gdb.sh" -batch \
	-ex "break my_first_module.c:$line" \
	-ex "shell touch $work/share/go" \
	-ex continue \
	-ex "info symbol \$pc" \
	-ex frame \
	-ex "delete" \
	-ex detach >"$work/gdb.out" 2>&1 || rc=$?
sed 's/^/#   | /' "$work/gdb.out"
expect_eq "gdb attached and ran its commands (exit status)" 0 "$rc"
expect_line "$work/gdb.out" "gdb.sh attached to the running VM" 'attaching to the running VM'
expect_line "$work/gdb.out" "lx-symbols loaded test.ko from the lab's build folder" \
	"loading @0x[0-9a-f]+: .*/my_first_module-buggy/test\.ko"
expect_line "$work/gdb.out" "the breakpoint is hit in init, at my_first_module.c:$line" \
	"init \(\) at .*my_first_module\.c:$line"
expect_line "$work/gdb.out" "pc is in init's .init.text of test" 'init(_module)? (\+ [0-9]+ )?in section \.init\.text of .*test\.ko'
wait "$vm_pid" || true
vm_pid=
expect_line "$work/serial.log" "the guest went on after gdb detached (insmod returned)" 'insmod-status=|BUG: kernel NULL pointer'
check "the port file is gone with the VM" test ! -e "$GDB_PORT_FILE"
tap_done
