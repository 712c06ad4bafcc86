#!/usr/bin/env bash
# Host test of vm/image/mkimage.sh with the real rootfs and kernel staging in BUILD_DIR: it builds a
# scratch image (the lab's own image, with whatever make inject put in it, is left alone) and
# checks it: e2fsck -fn clean, label, sparse, modules.dep for the kernel's release, hostname,
# root's password usable, serial getty and networkd enabled, the tools the lab needs; a second
# run skips; missing inputs fail with "run make ...". SKIPs visibly when rootfs or kernel is
# not built yet.
# Usage: tests/host/image-build.sh  (env: BUILD_DIR, KLAB_ROOT; SUITE, KERNEL, KSRC as for make)
# Output: TAP lines (ok / not ok / # diagnostics). Exit: 0 all passed or skipped, 1 any failed.
set -euo pipefail

# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

# the lab's paths (ROOTFS, KOUT, MODULES_STAGING) exactly as the Makefile derives them
# shellcheck source-path=SCRIPTDIR source=../../tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
MKIMAGE=$KLAB_ROOT/vm/image/mkimage.sh

if [ ! -f "$ROOTFS.stamp" ]; then
	skip "image build" "no finished rootfs at $ROOTFS (make rootfs)"
	tap_done
fi
release=$(cat "$KOUT/include/config/kernel.release" 2>/dev/null || true)
if [ -z "$release" ] || [ ! -d "$MODULES_STAGING/lib/modules/$release" ]; then
	skip "image build" "no staged kernel modules in $MODULES_STAGING (make kernel)"
	tap_done
fi
PATH=$PATH:/sbin:/usr/sbin

mkdir -p "$BUILD_DIR/tests"
t=$(mktemp -d "$BUILD_DIR/tests/image-build.XXXXXX")
trap 'rm -rf "$t"' EXIT
img=$t/images/test.ext4

# missing inputs: the message says what to run
out=$(ROOTFS=$t/none KOUT=$KOUT IMAGE=$img "$MKIMAGE" 2>&1) && rc=0 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'make rootfs' <<<"$out"; then ok "missing rootfs: says run make rootfs"; else not_ok "missing rootfs: says run make rootfs" "$out"; fi
out=$(ROOTFS=$ROOTFS KOUT=$t/none IMAGE=$img "$MKIMAGE" 2>&1) && rc=0 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'make kernel' <<<"$out"; then ok "missing kernel: says run make kernel"; else not_ok "missing kernel: says run make kernel" "$out"; fi

# (output to a file, not $(...): run_logged's ticker leaves a sleep holding a pipe open)
start=$SECONDS
if ROOTFS=$ROOTFS KOUT=$KOUT IMAGE=$img IMAGE_SIZE=2G "$MKIMAGE" >"$t/out" 2>&1; then
	ok "mkimage.sh builds an image ($((SECONDS - start)) s)"
else
	not_ok "mkimage.sh builds an image" "$(cat "$t/out")"
	tap_done
fi
expect_eq "no temporary left beside the image" "" "$(find "$t/images" -name '*.tmp.*' -o -name '*.tree.*')"
if out=$(e2fsck -fn "$img" 2>&1); then ok "e2fsck -fn is clean"; else not_ok "e2fsck -fn is clean" "$(tail -n 5 <<<"$out")"; fi
expect_eq "label is kernel-lab" "kernel-lab" "$(dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Filesystem volume name: *//p')"
apparent=$(stat -c %s "$img") used=$(($(stat -c %b "$img") * 512))
if [ "$used" -lt "$apparent" ]; then ok "image is sparse ($((used >> 20)) MiB of $((apparent >> 20)) MiB)"; else not_ok "image is sparse" "$used of $apparent bytes"; fi

dbg() { debugfs -R "$1" "$img" 2>/dev/null; }
dep=$(dbg "cat /lib/modules/$release/modules.dep")
if [ -n "$dep" ]; then ok "/lib/modules/$release/modules.dep exists"; else not_ok "/lib/modules/$release/modules.dep exists"; fi
nko=$(find "$MODULES_STAGING/lib/modules/$release" -name '*.ko*' | wc -l)
expect_eq "modules.dep lists every staged module ($nko)" "$nko" "$(grep -c '\.ko[^:]*:' <<<"$dep" || true)"
expect_eq "no host build/source links in the image" "" "$(dbg "ls /lib/modules/$release" | grep -ow -e build -e source || true)"
expect_eq "/etc/hostname" "kernel-lab" "$(dbg 'cat /etc/hostname')"
pw=$(dbg 'cat /etc/shadow' | awk -F: '$1 == "root" { print $2 }')
case $pw in
"" | '!'* | '*'*) not_ok "root's shadow entry has a usable password" "root:$pw" ;;
*) ok "root's shadow entry has a usable password" ;;
esac
expect_eq "user lab exists" "lab" "$(dbg 'cat /etc/passwd' | awk -F: '$1 == "lab" { print $1 }')"
expect_eq "serial-getty@ttyS0 enabled" "symlink" \
	"$(dbg 'stat /etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service' | awk '/Type:/ { print $4; exit }')"
expect_eq "systemd-networkd enabled" "symlink" \
	"$(dbg 'stat /etc/systemd/system/multi-user.target.wants/systemd-networkd.service' | awk '/Type:/ { print $4; exit }')"
expect_eq "resolv.conf points at QEMU's DNS" "nameserver 10.0.2.3" "$(dbg 'cat /etc/resolv.conf' | grep '^nameserver')"
expect_eq "fstab mounts /dev/vda as /" "/dev/vda / ext4" "$(dbg 'cat /etc/fstab' | awk '$2 == "/" { print $1, $2, $3 }')"
missing=
for f in /sbin/init /usr/sbin/iptables-legacy /usr/sbin/iptables-nft /usr/bin/dig /usr/sbin/dnsmasq \
	/bin/busybox /usr/bin/curl /usr/sbin/modprobe /usr/bin/ping /usr/bin/nc /usr/lib/x86_64-linux-gnu/xtables; do
	dbg "stat $f" | grep -q '^Inode:' || missing="$missing $f"
done
expect_eq "the lab's tools and the xtables directory are there" "" "$missing"
expect_eq "no DNS service starts at boot" "" \
	"$(dbg 'ls /etc/systemd/system/multi-user.target.wants' | grep -ow -e 'dnsmasq[^ ]*' -e 'systemd-resolved[^ ]*' || true)"

before=$(stat -c %Y "$img")
sleep 1
out=$(ROOTFS=$ROOTFS KOUT=$KOUT IMAGE=$img IMAGE_SIZE=2G "$MKIMAGE" 2>&1) || true
if grep -q 'up to date' <<<"$out" && [ "$(stat -c %Y "$img")" = "$before" ]; then
	ok "second run skips (up to date)"
else
	not_ok "second run skips (up to date)" "$out"
fi
tap_done
