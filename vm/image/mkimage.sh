#!/usr/bin/env bash
# Build the guest's disk image: a sparse raw ext4 file system (label kernel-lab, no partition
# table) holding the root filesystem plus the kernel's modules, made by mkfs.ext4 -d without
# any mount or loop device. Skipped when the image is newer than its inputs.
#
# Usage: vm/image/mkimage.sh
# Env (defaults from tools/lib/paths.sh): BUILD_DIR
#        ROOTFS      the tree from rootfs/mkrootfs.sh (finished when $ROOTFS.stamp exists)
#        KOUT        the kernel build dir; modules come from $KOUT-staging/lib/modules/<release>,
#                    release from $KOUT/include/config/kernel.release
#        IMAGE       the image to write (default: $BUILD_DIR/images/$SUITE-$KERNEL.ext4)
#        IMAGE_SIZE  its apparent size (default 2G; sparse, so only the data takes disk space)
# Output: $IMAGE (replaced atomically), $IMAGE.inputs (what it was built from)
# Exit:  0 built or up to date; 1 error (message on stderr); 2 usage.
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

case ${1:-} in
"") ;;
-h | --help)
	usage
	exit 0
	;;
*)
	echo "usage: vm/image/mkimage.sh   (configured by environment: see vm/image/mkimage.sh --help)" >&2
	exit 2
	;;
esac

IMAGE_SIZE=${IMAGE_SIZE:-2G}

[[ -d $ROOTFS && -f $ROOTFS.stamp ]] || die "no finished root filesystem at $ROOTFS: run make rootfs"
stampfile=$ROOTFS.stamp
# cp -a and mkfs -d must see the tree itself, not a symlink to it
ROOTFS=$(realpath "$ROOTFS")
staging=$KOUT-staging
if [ -f "$KOUT/include/config/kernel.release" ]; then
	release=$(cat "$KOUT/include/config/kernel.release")
else
	# a packaged kernel has no build tree: take the one release that was staged
	release=$(find "$staging/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | head -n 2 || true)
	[[ $release != *$'\n'* ]] || release=
fi
moddir=$staging/lib/modules/$release
[[ -n $release && -d $moddir ]] || die "no staged kernel modules in $staging/lib/modules${release:+/$release}: run make kernel"
[[ $IMAGE_SIZE =~ ^[0-9]+[KMGT]?$ ]] || die "IMAGE_SIZE=$IMAGE_SIZE is not a size (e.g. 2G)"

inputs="rootfs=$(cat "$stampfile") release=$release modules=$moddir size=$IMAGE_SIZE"
if [ -f "$IMAGE" ] && [ "$(cat "$IMAGE.inputs" 2>/dev/null)" = "$inputs" ] &&
	[ "$IMAGE" -nt "$stampfile" ] && [ -z "$(find "$moddir" -newer "$IMAGE" -print -quit)" ]; then
	note "image $IMAGE is up to date (newer than the rootfs and the modules of $release)"
	exit 0
fi

mkdir -p "$(dirname "$IMAGE")"
# the lock run-vm.sh holds while a VM writes to the image, and image-put.sh while it edits it
exec 9>"$IMAGE.lock"
flock -n 9 || die "$IMAGE is in use (a running VM or make inject); stop it and retry"
# holding the lock, any temporary left beside the image belongs to a dead run
rm -rf --one-file-system "$IMAGE".tmp.* "$IMAGE".tree.*

tmp=$IMAGE.tmp.$$
mods=$IMAGE.tree.$$
trap 'rm -rf --one-file-system "$mods" "$tmp" "$tmp.lock"' EXIT

stage "image $IMAGE ($IMAGE_SIZE sparse, kernel $release)" "about 5 s"
# Two ways in, measured on a loaded 2-core host: a lab kernel's ~20 modules are fastest added
# with debugfs after mkfs -d of the rootfs itself (4.5 s against 6.5 s); a packaged kernel's
# thousands are faster in one mkfs -d of a hard-linked copy of the whole tree (9 s against
# 11.5 s; its cost is mostly deleting that copy).
nfiles=$(find "$moddir" | wc -l)
# The modules' tree: hard links where possible (nothing is written in place: depmod replaces
# files), depmod's index beside them. build/source point into the host's kernel tree.
add_modules() {
	local dst=$1
	mkdir -p "$dst/modules"
	cp -al "$moddir" "$dst/modules/$release" 2>/dev/null || {
		rm -rf "${dst:?}/modules/$release"
		cp -a "$moddir" "$dst/modules/$release"
	}
	rm -f "$dst/modules/$release/build" "$dst/modules/$release/source"
}
if [ "$nfiles" -lt 1000 ]; then
	add_modules "$mods/lib"
	make_fs() {
		depmod -b "$mods" "$release" &&
			mkfs.ext4 -F -L kernel-lab -d "$ROOTFS" "$tmp" "$IMAGE_SIZE" &&
			"$KLAB_ROOT/vm/image/image-put.sh" "$tmp" "$mods"
	}
else
	cp -al "$ROOTFS" "$mods" 2>/dev/null || {
		rm -rf --one-file-system "$mods"
		cp -a "$ROOTFS" "$mods"
	}
	# /lib is usually a relative symlink (merged /usr): resolve it inside the tree, not on the host
	libdir=$mods/lib
	if [ -L "$libdir" ]; then
		target=$(readlink "$libdir")
		libdir=$mods/${target#/}
	fi
	rm -rf "${libdir:?}/modules/$release"
	add_modules "$libdir"
	make_fs() {
		depmod -b "$mods" "$release" &&
			mkfs.ext4 -F -L kernel-lab -d "$mods" "$tmp" "$IMAGE_SIZE"
	}
fi
# 9>&-: run_logged's ticker sleeps in a child that outlives it; it must not keep the lock
if ! run_logged image make_fs 9>&-; then
	if grep -Eq 'Could not allocate|No space left' "$LOG_DIR/image.log"; then
		die "IMAGE_SIZE=$IMAGE_SIZE is too small for the rootfs and modules; pass a bigger IMAGE_SIZE"
	fi
	die "building the image failed (log: $LOG_DIR/image.log)"
fi
mv -f "$tmp" "$IMAGE"
printf '%s\n' "$inputs" >"$IMAGE.inputs"
note "image ready: $IMAGE ($(du -h "$IMAGE" | cut -f1) used of $IMAGE_SIZE)"
