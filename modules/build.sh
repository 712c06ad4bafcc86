#!/usr/bin/env bash
# Build every lab module (and the iptables plugin) against the selected kernel, out of the
# source tree: sources are mirrored under EXT_DIR (mtimes kept, so kbuild stays incremental).
# Usage: modules/build.sh        env: BUILD_DIR, KERNEL (paths from tools/lib/paths.sh)
# Outputs (EXT=EXT_DIR): EXT/my_first_module/test.ko, EXT/my_first_module-buggy/test.ko
#   (with patches/add_bug.patch), EXT/modules/xt_dns_name/xt_dns_name.ko, EXT/xtables/*.so,
#   EXT/modules/oops_gallery/oops_gallery.ko (make oops's own crashes)
# Exit: 0 built, 1 a build failed (its log is shown).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

[ -f "$KOUT/Module.symvers" ] || die "no kernel build at $KOUT: run 'make kernel${KERNEL:+ KERNEL=$KERNEL}'"
ext=$EXT_DIR
mkdir -p "$ext"

# mirror SRC DEST: copy sources, keeping mtimes, removing files gone from SRC.
mirror() { rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' "$1/" "$2/"; }

kbuild() { # kbuild NAME DIR
	run_logged "modules-$1" make -C "$KOUT" M="$2" modules || die "building $1 failed"
}

stage "building modules against $(cat "$KOUT/include/config/kernel.release")" "10 s"
mirror "$KLAB_ROOT/modules/my_first_module" "$ext/my_first_module"
kbuild my_first_module "$ext/my_first_module"

# The buggy variant: the lab's patch applied to a build copy, never to the source.
buggy=$ext/my_first_module-buggy
mirror "$KLAB_ROOT/modules/my_first_module" "$buggy.src"
patch -s -p1 -d "$buggy.src" <"$KLAB_ROOT/modules/my_first_module/patches/add_bug.patch" ||
	die "patches/add_bug.patch does not apply to modules/my_first_module"
mkdir -p "$buggy"
# Copy only what changed, so an unchanged module is not rebuilt.
rsync -a --checksum "$buggy.src/" "$buggy/"
rm -rf "$buggy.src"
kbuild my_first_module-buggy "$buggy"

mkdir -p "$ext/modules"
mirror "$KLAB_ROOT/modules/oops_gallery" "$ext/modules/oops_gallery"
kbuild oops_gallery "$ext/modules/oops_gallery"

run_logged modules-xt_dns_name make -C "$KLAB_ROOT/modules/xt_dns_name" BUILD_DIR="$ext" KDIR="$KOUT" module plugin ||
	die "building xt_dns_name failed"
echo "==> modules ready in $ext"
