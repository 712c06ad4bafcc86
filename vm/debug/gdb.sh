#!/usr/bin/env bash
# `make gdb`: boot the lab (snapshot) with QEMU's gdbstub and attach gdb with vmlinux and the
# kernel's gdb scripts (lx-symbols, lx-dmesg, ...). The guest's console goes to a log file.
# Usage: vm/debug/gdb.sh [GDB-ARGS...]   e.g. vm/debug/gdb.sh -batch -ex 'print init_uts_ns.name.release'
# Env: BUILD_DIR, KERNEL, VMLINUX (the kernel's debug vmlinux; default KOUT/vmlinux).
# Exit: gdb's status; 125 when the VM or vmlinux is missing.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"

vmlinux=$VMLINUX
if [ ! -f "$vmlinux" ]; then
	echo "gdb.sh: no vmlinux with debug info at $vmlinux" >&2
	[ "$KERNEL" != debian ] || echo "gdb.sh: for KERNEL=debian, fetch it with DEBIAN_DBG=1 make kernel KERNEL=debian" >&2
	exit 125
fi
mkdir -p "$LOG_DIR"
log=$LOG_DIR/gdb-vm.serial.log
work=$(mktemp -d)
vm_pid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$vm_pid" ] || kill "$vm_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# Halt the CPU at the first instruction (-S) so a breakpoint can be set before boot.
GDB_PORT_FILE=$work/port "$KLAB_ROOT/run-vm.sh" --snapshot --gdb --log "$log" -- -S </dev/null >/dev/null 2>"$work/vm.err" &
vm_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/vm.err" >&2; echo "gdb.sh: the VM did not start" >&2; exit 125; }
port=$(cat "$work/port")
echo "gdb.sh: VM halted at its first instruction; console: $log; 'continue' boots it" >&2

gdb_dir=$(dirname "$vmlinux")
rc=0
gdb -q -ex "add-auto-load-safe-path $gdb_dir" -ex "file $vmlinux" \
	-ex "target remote 127.0.0.1:$port" "$@" || rc=$?
exit "$rc"
