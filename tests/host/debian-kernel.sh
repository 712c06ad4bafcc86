#!/usr/bin/env bash
# KERNEL=debian: the unpacked Debian kernel is complete and cached, works as a KDIR for an
# out-of-tree module, and boots through its initramfs (under TCG): init= and ro are honoured,
# a missing root disk stops the VM instead of hanging it, run-vm.sh --exec prints the release.
# Also: a failed download names the package, and make rejects an unknown KERNEL at once.
#
# Usage: tests/host/debian-kernel.sh     (TAP: ok / not ok / # SKIP lines on stdout)
# Env:   BUILD_DIR (default: build/ in the checkout), KLAB_ROOT (the checkout)
# Exit:  0 when nothing failed (skips included), 1 otherwise.
set -euo pipefail
KERNEL=debian
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

tmp=$(mktemp -d)
qemu_pid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- needs nothing prepared
start=$SECONDS rc=0
out=$(make -s -C "$KLAB_ROOT" kernel KERNEL=foo BUILD_DIR="$tmp/build" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'KERNEL=foo is not valid; use one of: lab debian' <<<"$out" &&
	[ $((SECONDS - start)) -lt 10 ]; then
	ok "make kernel KERNEL=foo fails at once, naming lab and debian"
else
	not_ok "make kernel KERNEL=foo fails at once, naming lab and debian" "exit $rc after $((SECONDS - start))s:" "$out"
fi

if [ ! -f "$KIMAGE" ] || [ ! -f "$INITRD" ] || [ ! -f "$KOUT/include/config/kernel.release" ]; then
	skip "Debian kernel checks" "not prepared in $(dirname "$KOUT") (run make kernel KERNEL=debian BUILD_DIR=$BUILD_DIR)"
	tap_done
fi
release=$(cat "$KOUT/include/config/kernel.release")
moddir=$MODULES_STAGING/lib/modules/$release

# --- what the rest of the lab relies on
check "KIMAGE $KIMAGE is a bzImage" grep -q HdrS <(dd if="$KIMAGE" bs=1 skip=514 count=4 2>/dev/null)
check "KOUT's kernel.release is a Debian release ($release)" grep -qE '^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-[a-z0-9]+$' "$KOUT/include/config/kernel.release"
check "KOUT has Module.symvers" test -s "$KOUT/Module.symvers"
check "KOUT's scripts resolve inside the unpacked packages" test -x "$KOUT/scripts/mod/modpost"
# shellcheck disable=SC2317 # called by check
not_grep_usr_src() { ! grep -q 'include /usr/src/' "$KOUT/Makefile"; }
check "KOUT's Makefile names no host path under /usr/src" not_grep_usr_src
check "the staged modules are depmod'ed ($moddir)" test -s "$moddir/modules.dep"
for m in qemu_fw_cfg 9p iptable_filter; do
	check "the staged modules include $m (lab-init and the exercises load it)" \
		grep -qE "/$m\.ko(\.[a-z]+)?:" "$moddir/modules.dep"
done
initrd_list=$(gzip -dc "$INITRD" | cpio -it --quiet 2>/dev/null || true)
for f in init bin/busybox etc/modules.load; do
	check "the initramfs holds /$f" grep -qx "$f" <<<"$initrd_list"
done
for m in virtio_pci virtio_blk ext4 jbd2; do
	check "the initramfs holds $m.ko" grep -qE "/$m\.ko$" <<<"$initrd_list"
done

if [ -f "$VMLINUX" ]; then
	check "VMLINUX (DEBIAN_DBG=1) has DWARF (.debug_info)" grep -q '\.debug_info' <(readelf -S "$VMLINUX")
	check "VMLINUX carries the release $release" grep -aqF "Linux version $release " "$VMLINUX"
else
	skip "the debug vmlinux" "not fetched (make kernel KERNEL=debian DEBIAN_DBG=1, 855 MB)"
fi

# --- cached: a second run downloads nothing and says so
start=$SECONDS rc=0
out=$("$KLAB_ROOT/tools/kernel/build-debian.sh" 2>&1) || rc=$?
if [ "$rc" -eq 0 ] && grep -q 'ready:' <<<"$out"; then
	# apt's lists had moved on to a newer kernel: that run prepared it; now it must be cached
	start=$SECONDS
	out=$("$KLAB_ROOT/tools/kernel/build-debian.sh" 2>&1) || rc=$?
fi
if [ "$rc" -eq 0 ] && grep -q 'nothing to do' <<<"$out" && [ $((SECONDS - start)) -lt 15 ]; then
	ok "a second tools/kernel/build-debian.sh does nothing ($((SECONDS - start))s)"
else
	not_ok "a second tools/kernel/build-debian.sh does nothing" "exit $rc after $((SECONDS - start))s:" "$out"
fi

# --- a failed download: one line naming the package and apt's reason (apt behind a dead proxy)
printf 'Acquire::http::Proxy "http://127.0.0.1:9";\nAcquire::https::Proxy "http://127.0.0.1:9";\n' >"$tmp/apt.conf"
rc=0
out=$(APT_CONFIG=$tmp/apt.conf BUILD_DIR=$tmp/build KOUT='' "$KLAB_ROOT/tools/kernel/build-debian.sh" 2>&1) || rc=$?
errors=$(grep -c 'error:' <<<"$out" || true)
if [ "$rc" -eq 1 ] && [ "$errors" -eq 1 ] && grep -qE "error: cannot download linux-[a-z0-9.-]+ [^ ]+: E: .*127\.0\.0\.1" <<<"$out"; then
	ok "a failed download says which package and apt's reason, in one line"
else
	not_ok "a failed download says which package and apt's reason, in one line" "exit $rc:" "$out"
fi

# --- an out-of-tree module builds against KOUT
mkdir -p "$tmp/mod"
cat >"$tmp/mod/hello.c" <<'EOF'
#include <linux/init.h>
#include <linux/module.h>
static int __init hello_init(void) { pr_info("hello\n"); return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := hello.o' >"$tmp/mod/Kbuild"
if out=$(make -C "$KOUT" M="$tmp/mod" modules 2>&1) && [ -f "$tmp/mod/hello.ko" ]; then
	vermagic=$(modinfo -F vermagic "$tmp/mod/hello.ko" 2>/dev/null || /sbin/modinfo -F vermagic "$tmp/mod/hello.ko")
	if [[ $vermagic == "$release "* ]]; then ok "make -C KOUT M=dir modules builds a module for $release"; else
		not_ok "make -C KOUT M=dir modules builds a module for $release" "vermagic: $vermagic"
	fi
else
	not_ok "make -C KOUT M=dir modules builds a module for $release" "$(tail -n 15 <<<"$out")"
fi

# --- boots through the initramfs. boot LOG APPEND: a TCG VM on a tiny busybox disk, 180 s at most
mkdir -p "$tmp/disk/bin" "$tmp/disk/sbin" "$tmp/disk/proc" "$tmp/disk/dev"
cp /bin/busybox "$tmp/disk/bin/busybox"
cat >"$tmp/disk/sbin/klab-test" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "KLAB-TEST release=$(/bin/busybox uname -r) root=$(/bin/busybox awk '$2 == "/" { split($4, o, ","); print o[1] }' /proc/mounts) args=$*"
/bin/busybox poweroff -f
EOF
chmod 755 "$tmp/disk/sbin/klab-test"
mkfs.ext4 -q -F -L kernel-lab -d "$tmp/disk" "$tmp/disk.ext4" 32M >/dev/null 2>&1 ||
	not_ok "mkfs.ext4 -d makes the test disk" "mkfs.ext4 -F -d $tmp/disk $tmp/disk.ext4 32M failed"
boot() {
	local log=$1
	timeout 180 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 -nographic -no-reboot \
		-kernel "$KIMAGE" -initrd "$INITRD" -drive "file=$tmp/disk.ext4,format=raw,if=virtio,snapshot=on" \
		-append "console=ttyS0 panic=-1 $2" </dev/null >"$log" 2>&1 &
	qemu_pid=$!
	wait "$qemu_pid" || true
	qemu_pid=''
}
start=$SECONDS
boot "$tmp/boot-ok.log" "root=/dev/vda ro quiet init=/sbin/klab-test -- a1 a2"
if grep -aq "KLAB-TEST release=$release root=ro args=a1 a2" "$tmp/boot-ok.log"; then
	ok "boots via the initramfs: $release, root mounted ro, init= with its arguments ($((SECONDS - start))s)"
else
	not_ok "boots via the initramfs: $release, root mounted ro, init= with its arguments" "last lines:" \
		"$(tail -n 15 "$tmp/boot-ok.log" | tr -d '\r')"
fi
start=$SECONDS
boot "$tmp/boot-fail.log" "root=/dev/vdb rw rootdelay=1"
if grep -aq 'initramfs: error: root device /dev/vdb did not appear' "$tmp/boot-fail.log" &&
	grep -aq 'Kernel panic' "$tmp/boot-fail.log" && [ $((SECONDS - start)) -lt 170 ]; then
	ok "a missing root disk: one clear message, then panic and exit, no hang ($((SECONDS - start))s)"
else
	not_ok "a missing root disk: one clear message, then panic and exit, no hang" "last lines:" \
		"$(tail -n 15 "$tmp/boot-fail.log" | tr -d '\r')"
fi

# --- the lab's own path, when the Debian-kernel image exists
if [ -f "$IMAGE" ]; then
	start=$SECONDS rc=0
	# timeout(1) rather than --timeout, and a file rather than $(...): run-vm.sh's watchdog sleep
	# keeps its stdout open until the timeout expires, which a $(...) would wait for
	BUILD_DIR=$BUILD_DIR KERNEL=debian ACCEL=tcg NET=none timeout 300 "$KLAB_ROOT/run-vm.sh" --exec 'uname -r' \
		>"$tmp/run-vm.out" 2>&1 </dev/null || rc=$?
	out=$(cat "$tmp/run-vm.out")
	if [ "$rc" -eq 0 ] && grep -qx "$release" <<<"$(tr -d '\r' <<<"$out")"; then
		ok "run-vm.sh --exec 'uname -r' on $IMAGE prints $release ($((SECONDS - start))s)"
	else
		not_ok "run-vm.sh --exec 'uname -r' on $IMAGE prints $release" "exit $rc:" "$out"
	fi
else
	skip "run-vm.sh --exec on the lab image" "no $IMAGE (run make image KERNEL=debian)"
fi

tap_done
