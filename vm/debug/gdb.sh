#!/usr/bin/env bash
# `make gdb`: gdb on the lab's kernel, with vmlinux, the kernel's gdb scripts (lx-dmesg,
# lx-lsmod, ...) and lx-symbols reading the lab's module build folders, so that a breakpoint on
# a module's function is hit when the module is loaded.
#   - A VM started by `make vm GDB=1` is running (its port in GDB_PORT_FILE): attach to it. Its
#     console stays in the first terminal: insmod there, debug here (the two-terminal flow).
#   - Otherwise: boot a VM (snapshot) halted at its first instruction, console to a log file.
# Usage: vm/debug/gdb.sh [GDB-ARGS...]   e.g. vm/debug/gdb.sh -batch -ex 'print init_uts_ns.name.release'
# Env: BUILD_DIR, KERNEL, FLAVOR, VMLINUX (the kernel's debug vmlinux), GDB_PORT_FILE.
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
# lx-symbols looks for NAME.ko in these folders, in order (then in gdb's working folder): the
# 2B exercise's buggy test.ko (the plain one has the same name: lx-symbols DIR for it), the
# other lab modules, then the kernel's own (LKDTM, netfilter, ...).
module_dirs="$EXT_DIR/my_first_module-buggy $EXT_DIR/modules $KOUT"
gdb_args=(-q -ex "add-auto-load-safe-path $(dirname "$vmlinux")" -ex "set breakpoint pending on"
	-ex "file $vmlinux")

port=
if [ -s "$GDB_PORT_FILE" ]; then
	port=$(cat "$GDB_PORT_FILE")
	if ! timeout 2 bash -c ": </dev/tcp/127.0.0.1/$port" 2>/dev/null; then
		echo "gdb.sh: $GDB_PORT_FILE names port $port, where no VM listens (a VM that died?): removing it" >&2
		rm -f "$GDB_PORT_FILE"
		port=
	fi
fi
if [ -n "$port" ]; then
	echo "gdb.sh: attaching to the running VM (make vm GDB=1) on 127.0.0.1:$port; it stops while gdb" \
		"holds it: 'continue' lets it run, Ctrl-C stops it again" >&2
	exec gdb "${gdb_args[@]}" -ex "target remote 127.0.0.1:$port" \
		-ex "source $KLAB_ROOT/vm/debug/lab-gdb.py" -ex "lx-symbols $module_dirs" "$@"
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
echo "gdb.sh: VM halted at its first instruction; console: $log; 'continue' boots it;" \
	"once it is up, Ctrl-C and 'lx-symbols $module_dirs' load the modules' symbols" >&2
rc=0
gdb "${gdb_args[@]}" -ex "target remote 127.0.0.1:$port" -ex "source $KLAB_ROOT/vm/debug/lab-gdb.py" "$@" || rc=$?
exit "$rc"
