#!/usr/bin/env bash
# Build the lab kernel out of tree: bzImage, vmlinux (DWARF), in-tree modules, gdb scripts,
# and the modules staged for the image.
# Usage: [BUILD_DIR=...] [KOUT=...] [KSRC=tree] [JOBS=n] tools/kernel/build-lab.sh
#   KSRC   Linux tree to build; never written to. Empty: Debian's linux-source-6.12,
#          extracted once under BUILD_DIR/src (with linux-patches/series applied).
#   KOUT   the O= build directory.
# Exit: 0 built (or already up to date), 1 failure (the message says what and where the log is).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

KSRC=${KSRC:-}
JOBS=${JOBS:-$(nproc)}
PATCH_DIR=${KLAB_PATCH_DIR:-$KLAB_ROOT/linux-patches}  # tests point it elsewhere
DEBIAN_TARBALL=/usr/src/linux-source-6.12.tar.xz

is_kernel_tree() {
	[ -f "$1/Makefile" ] && [ -f "$1/Kconfig" ] && [ -f "$1/scripts/kconfig/merge_config.sh" ] &&
		[ -f "$1/arch/x86/configs/x86_64_defconfig" ]
}

# The patches of linux-patches/series, in order; their hash names the extracted tree's state.
series_patches() {
	[ -f "$PATCH_DIR/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCH_DIR/series"
}

patches_hash() {
	{
		echo "$DEBIAN_TARBALL $(stat -c %s "$DEBIAN_TARBALL")"
		series_patches | while read -r p; do cat "$PATCH_DIR/$p"; done
	} | sha256sum | cut -c1-16
}

# Extract the Debian tarball (and apply the series) into a temporary folder, then rename:
# an interrupted run leaves no tree that looks complete.
prepare_default_source() {
	local dest=$BUILD_DIR/src/linux-source-6.12 want tmp p
	[ -f "$DEBIAN_TARBALL" ] || die "$DEBIAN_TARBALL is missing: run 'make deps' (package linux-source-6.12) or pass KSRC=<kernel tree>"
	want=$(patches_hash)
	if [ -f "$dest/.kernel-lab-source" ] && [ "$(cat "$dest/.kernel-lab-source")" = "$want" ]; then
		KSRC=$dest
		return
	fi
	stage "extracting $DEBIAN_TARBALL" "1 min"
	mkdir -p "$BUILD_DIR/src"
	tmp=$(mktemp -d "$BUILD_DIR/src/.extract.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$DEBIAN_TARBALL" -C "$tmp"
	while read -r p; do
		echo "    applying linux-patches/$p"
		patch -d "$tmp/linux-source-6.12" -p1 --forward --quiet <"$PATCH_DIR/$p" ||
			die "linux-patches/$p does not apply to linux-source-6.12"
	done < <(series_patches)
	echo "$want" >"$tmp/linux-source-6.12/.kernel-lab-source"
	rm -rf "$dest.old"
	[ ! -e "$dest" ] || mv "$dest" "$dest.old"
	mv "$tmp/linux-source-6.12" "$dest"
	rm -rf "$tmp" "$dest.old"
	trap - EXIT
	KSRC=$dest
}

if [ -n "$KSRC" ]; then
	[ -d "$KSRC" ] || die "KSRC=$KSRC does not exist (give the top folder of a Linux source tree)"
	KSRC=$(cd "$KSRC" && pwd)
	is_kernel_tree "$KSRC" || die "KSRC=$KSRC is not a Linux source tree (no Makefile/Kconfig/scripts/kconfig/merge_config.sh/x86_64_defconfig)"
else
	prepare_default_source
fi

make_args=(-C "$KSRC" O="$KOUT" ARCH=x86_64 -j"$JOBS")
# Same compiler string for every step, so the config never sees a compiler change.
if command -v ccache >/dev/null; then
	export CCACHE_DIR=${CCACHE_DIR:-$BUILD_DIR/ccache}
	make_args+=(CC="ccache gcc")
fi
# Reproducible version strings: a rebuild with no change relinks nothing.
export KBUILD_BUILD_USER=lab KBUILD_BUILD_HOST=kernel-lab

fragments=("$PATCH_DIR"/*.config)
config_hash() {
	{
		head -n 6 "$KSRC/Makefile"
		cat "$KSRC/arch/x86/configs/x86_64_defconfig" "$KSRC/kernel/configs/kvm_guest.config" "${fragments[@]}"
		echo "${make_args[*]}"
	} | sha256sum | cut -c1-16
}

# Chained with &&: it runs under ||, where set -e does not apply.
configure_kernel() {
	make "${make_args[@]}" x86_64_defconfig &&
		make "${make_args[@]}" kvm_guest.config &&
		"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" "$KOUT/.config" "${fragments[@]}" &&
		make "${make_args[@]}" olddefconfig
}

mkdir -p "$KOUT"
# One build per KOUT at a time: a second make kernel (another terminal, a test) waits.
exec 8>"$KOUT/.kernel-lab.lock"
if ! flock -n 8; then
	note "another build of $KOUT is running; waiting for it"
	flock 8
fi
if [ -f "$KOUT/.config" ] && [ "$(cat "$KOUT/.kernel-lab-config" 2>/dev/null)" = "$(config_hash)" ]; then
	echo "==> kernel config up to date ($KOUT/.config)"
else
	stage "configuring: x86_64_defconfig + kvm_guest.config + linux-patches/*.config" "10 s"
	rm -f "$KOUT/.kernel-lab-config"
	run_logged kernel-config configure_kernel || die "kernel configuration failed"
	"$KLAB_ROOT/tools/kernel/verify-config.sh" "$KOUT/.config" "${fragments[@]}" || die "the final .config lacks options asked for in linux-patches/ (above)"
	config_hash >"$KOUT/.kernel-lab-config"
fi

stage "building the kernel: bzImage vmlinux modules (log: $LOG_DIR/kernel-build.log)" "~23 min on 2 cores; no-op ~15 s"
run_logged kernel-build make "${make_args[@]}" bzImage vmlinux modules scripts_gdb ||
	die "kernel build failed"

release=$(cat "$KOUT/include/config/kernel.release")
staging=$KOUT-staging
# Re-stage only when a module or the kernel changed since the last staging.
if [ -f "$staging/.stamp" ] && [ -z "$(find "$KOUT" -name '*.ko' -newer "$staging/.stamp" -print -quit)" ] &&
	[ ! "$KOUT/modules.order" -nt "$staging/.stamp" ]; then
	echo "==> staged modules up to date ($staging/lib/modules/$release)"
else
	stage "staging modules for the image (modules_install, stripped)" "20 s"
	tmp=$(mktemp -d "$BUILD_DIR/.staging.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	run_logged kernel-modules-install make "${make_args[@]}" modules_install \
		INSTALL_MOD_PATH="$tmp" INSTALL_MOD_STRIP=1 || die "modules_install failed"
	touch "$tmp/.stamp"
	rm -rf "$staging"
	mv "$tmp" "$staging"
	trap - EXIT
fi
echo "==> kernel $release ready: $KOUT/arch/x86/boot/bzImage, $KOUT/vmlinux"
