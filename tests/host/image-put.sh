#!/usr/bin/env bash
# Host test of vm/image/image-put.sh on a small ext4 image made here with mkfs.ext4 -d: two puts
# (the second replaces), contents, modes, owners, a symlinked directory (/lib -> usr/lib),
# speed, the busy lock, and e2fsck -fn. Needs e2fsprogs only; root is not needed.
# Usage: tests/host/image-put.sh     (env: BUILD_DIR for scratch space, KLAB_ROOT = checkout)
# Output: TAP lines (ok / not ok / # diagnostics). Exit: 0 all passed, 1 any failed.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"

PUT=$KLAB_ROOT/vm/image/image-put.sh
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

for tool in mkfs.ext4 debugfs e2fsck; do
	command -v "$tool" >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	command -v "$tool" >/dev/null || {
		skip "image-put" "$tool is not installed (make deps)"
		tap_done
	}
done

scratch=${BUILD_DIR:-${TMPDIR:-/tmp}}/tests
mkdir -p "$scratch"
t=$(mktemp -d "$scratch/image-put.XXXXXX")
trap 'rm -rf "$t"' EXIT
img=$t/test.ext4

# a root tree shaped like the guest's: merged /usr, a private /root, a file to replace
mkdir -p "$t/base/etc" "$t/base/usr/lib/modules" "$t/base/root/lab"
ln -s usr/lib "$t/base/lib"
echo kernel-lab >"$t/base/etc/hostname"
echo old >"$t/base/root/lab/x.ko"
chmod 700 "$t/base/root"
mkfs.ext4 -q -F -L kernel-lab -d "$t/base" "$img" 64M >/dev/null

# make_src DIR VERSION: the tree to put; VERSION changes contents, modes and a link target
make_src() {
	local d=$1 v=$2
	mkdir -p "$d/root/lab" "$d/lib/modules/6.0.0-lab/extra" "$d/usr/local/bin" "$d/opt/new/deep"
	echo "x.ko v$v" >"$d/root/lab/x.ko"
	printf '#!/bin/sh\necho v%s\n' "$v" >"$d/root/lab/run.sh"
	echo "m.ko v$v" >"$d/lib/modules/6.0.0-lab/extra/m.ko"
	echo "space v$v" >"$d/root/lab/a b.txt"
	echo "tool v$v" >"$d/usr/local/bin/tool"
	chmod 644 "$d/root/lab/x.ko"
	chmod 755 "$d/usr/local/bin/tool"
	if [ "$v" = 1 ]; then
		chmod 755 "$d/root/lab/run.sh"
		ln -s run.sh "$d/root/lab/link"
	else
		chmod 750 "$d/root/lab/run.sh"
		ln -s x.ko "$d/root/lab/link"
	fi
	chmod 750 "$d/opt/new"
	for i in $(seq 1 40); do echo "file $i v$v" >"$d/opt/new/deep/f$i"; done
}
make_src "$t/src1" 1
make_src "$t/src2" 2

dbg() { debugfs -R "$1" "$img" 2>/dev/null; }
mode_of() { dbg "stat \"$1\"" | awk '/Mode:/ { for (i = 1; i < NF; i++) if ($i == "Mode:") print $(i + 1); exit }'; }
uid_of() { dbg "stat \"$1\"" | awk '/^User:/ { print $2; exit }'; }
type_of() { dbg "stat \"$1\"" | awk '/Type:/ { print $4; exit }'; }

if out=$("$PUT" "$img" "$t/src1" 2>&1); then ok "first put succeeds"; else not_ok "first put succeeds" "$out"; fi
expect_eq "file content after first put" "x.ko v1" "$(dbg 'cat /root/lab/x.ko')"
expect_eq "executable keeps 0755" "0755" "$(mode_of /root/lab/run.sh)"

start=$(date +%s%N)
if out=$("$PUT" "$img" "$t/src2" 2>&1); then ok "second put (replacing) succeeds"; else not_ok "second put (replacing) succeeds" "$out"; fi
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -lt 5000 ]; then ok "put of ~50 files takes < 5 s (${ms} ms)"; else not_ok "put of ~50 files takes < 5 s" "took ${ms} ms"; fi

expect_eq "replaced file has the new content" "x.ko v2" "$(dbg 'cat /root/lab/x.ko')"
expect_eq "replaced file's mode follows the source (0750)" "0750" "$(mode_of /root/lab/run.sh)"
expect_eq "file put is owned by root" "0" "$(uid_of /root/lab/run.sh)"
expect_eq "name with a space" "space v2" "$(dbg 'cat "/root/lab/a b.txt"')"
expect_eq "deep new file" "file 40 v2" "$(dbg 'cat /opt/new/deep/f40')"
expect_eq "new folder takes the source's mode" "0750" "$(mode_of /opt/new)"
expect_eq "existing folder keeps its mode (/root 0700)" "0700" "$(mode_of /root)"
expect_eq "file below the /lib symlink lands in /usr/lib" "m.ko v2" "$(dbg 'cat /usr/lib/modules/6.0.0-lab/extra/m.ko')"
expect_eq "/lib is still a symlink" "symlink" "$(type_of /lib)"
expect_eq "symlink replaced with the new target" 'x.ko' "$(dbg 'stat /root/lab/link' | sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')"
expect_eq "untouched file survives" "kernel-lab" "$(dbg 'cat /etc/hostname')"

if out=$(e2fsck -fn "$img" 2>&1); then ok "e2fsck -fn is clean"; else not_ok "e2fsck -fn is clean" "$(tail -n 5 <<<"$out")"; fi

# the busy contract: a VM (run-vm.sh) holding IMAGE.lock makes image-put refuse with exit 3
# (exec: the locker is the sleep itself, so killing it frees the lock)
(
	exec 8>"$img.lock"
	flock 8
	exec sleep 10
) &
locker=$!
for _ in $(seq 50); do
	flock -n "$img.lock" true 2>/dev/null || break
	sleep 0.1
done
rc=0
out=$("$PUT" "$img" "$t/src1" 2>&1) || rc=$?
kill "$locker" 2>/dev/null || true
wait "$locker" 2>/dev/null || true
expect_eq "refuses (exit 3) while the image is locked by a VM" "3" "$rc"
expect_eq "nothing changed while refused" "x.ko v2" "$(dbg 'cat /root/lab/x.ko')"

rc=0
"$PUT" "$img" >/dev/null 2>&1 || rc=$?
expect_eq "usage error exits 2" "2" "$rc"

# a folder in the source where the image has a file: a clear error, not a half-done copy
mkdir -p "$t/src3/etc/hostname"
rc=0
out=$("$PUT" "$img" "$t/src3" 2>&1) || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'is a regular' <<<"$out"; then
	ok "folder over a file is refused clearly"
else
	not_ok "folder over a file is refused clearly" "exit $rc" "$out"
fi
tap_done
