#!/usr/bin/env bash
# Build the lab kernel (or one of its flavours) out of tree: bzImage, vmlinux (DWARF), in-tree
# modules, gdb scripts, and the modules staged for the image.
# Usage: [BUILD_DIR=...] [FLAVOR=name] [KOUT=...] [KSRC=tree] [JOBS=n] tools/kernel/build-lab.sh [--config-only]
#   KSRC    Linux tree to build; never written to. Empty: Debian's linux-source-6.12,
#           extracted once under BUILD_DIR/src (with linux-patches/series applied).
#   FLAVOR  e.g. debug: also the fragments of linux-patches/flavors/debug/ (tools/kernel/fragments.sh)
#   KOUT    the O= build directory.
#   --config-only   configure (and verify) only; no build
# The .config is x86_64_defconfig + kvm_guest.config + the fragments, every option verified.
# A KOUT that is a symlink (a kernel built in another BUILD_DIR) is used as it is, never built.
# A .config changed by other means than make menuconfig is named, and never overwritten: when
# the fragments change, the build stops until it is saved (tools/kernel/config.sh save) or removed.
# Exit: 0 built (or already up to date), 1 failure (the message says what and where the log is).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

# shellcheck source=tools/kernel/fragments.sh
. "$KLAB_ROOT/tools/kernel/fragments.sh"

config_only=false
case ${1:-} in
"") ;;
--config-only) config_only=true ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac
KSRC=${KSRC:-}
JOBS=${JOBS:-$(nproc)}

# A KOUT that is a link points at a kernel built elsewhere (another BUILD_DIR, a shared cache):
# it is used as it is, never configured or built through the link (its owner may be building it).
if [ -L "$KOUT" ]; then
	target=$(readlink -f "$KOUT")
	if [ ! -f "$KOUT/arch/x86/boot/bzImage" ] || [ ! -f "$KOUT/vmlinux" ]; then
		die "KOUT=$KOUT links to $target, where no kernel is built (yet): build it there, not through the link"
	fi
	note "KOUT=$KOUT links to $target: a kernel built there, used as it is (not configured or built here)"
	exit 0
fi
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

config_hash() {
	{
		head -n 6 "$KSRC/Makefile"
		cat "$KSRC/arch/x86/configs/x86_64_defconfig" "$KSRC/kernel/configs/kvm_guest.config" "${FRAGMENTS[@]}"
		echo "${make_args[*]}"
	} | sha256sum | cut -c1-16
}

# What make kernel last wrote (after configuring and after each build: kbuild's syncconfig may
# rewrite .config), and the .config of the fragments without LOCAL_FRAGMENT (make menuconfig
# saves the difference to it).
written=$KOUT/.config.kernel-lab
base=$KOUT/.config.kernel-lab-base
rel() { realpath -m --relative-to="$KLAB_ROOT" "$1"; }
# the command that saves .config's changes, as the user types it here
save_cmd="${FLAVOR:+FLAVOR=$FLAVOR }tools/kernel/config.sh save"
[ "$BUILD_DIR" = "$KLAB_ROOT/build" ] || save_cmd="BUILD_DIR=$BUILD_DIR $save_cmd"

# Chained with &&: it runs under ||, where set -e does not apply.
configure_kernel() {
	make "${make_args[@]}" x86_64_defconfig &&
		make "${make_args[@]}" kvm_guest.config &&
		"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" "$KOUT/.config" "${BASE_FRAGMENTS[@]}" &&
		make "${make_args[@]}" olddefconfig &&
		cp "$KOUT/.config" "$base" &&
		if [ -f "$LOCAL_FRAGMENT" ]; then
			"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" "$KOUT/.config" "$LOCAL_FRAGMENT" &&
				make "${make_args[@]}" olddefconfig
		fi
}

# A later fragment overrides an earlier one (local.config over the lab's): each fragment is
# verified for the options no later fragment sets, in copies named as the originals.
verify_fragments() {
	local dir i f
	dir=$(mktemp -d)
	for ((i = 0; i < ${#FRAGMENTS[@]}; i++)); do
		f=$dir/$(realpath -m --relative-to="$PATCH_DIR" "${FRAGMENTS[i]}")
		mkdir -p "$(dirname "$f")"
		grep -ohE '^(CONFIG_[A-Za-z0-9_]+)=|^# (CONFIG_[A-Za-z0-9_]+) is not set' "${FRAGMENTS[@]:i+1}" /dev/null |
			sed -E 's/^# //; s/[= ].*//' | sort -u >"$dir/later"
		awk 'FILENAME == ARGV[1] { later[$0] = 1; next } # (NR == FNR fails on an empty list)
			{ o = $0; sub(/^# /, "", o); sub(/[= ].*/, "", o) }
			!(o ~ /^CONFIG_/ && o in later)' "$dir/later" "${FRAGMENTS[i]}" >"$f"
		fragment_copies+=("$f")
	done
	"$KLAB_ROOT/tools/kernel/verify-config.sh" "$KOUT/.config" "${fragment_copies[@]}" || { rm -rf "$dir"; return 1; }
	rm -rf "$dir"
}

# config_changes: what differs between what make kernel wrote and .config (scripts/diffconfig).
config_changes() {
	"$KSRC/scripts/diffconfig" "$written" "$KOUT/.config" | sed 's/^/      /'
}

mkdir -p "$KOUT"
# One build per KOUT at a time: a second make kernel (another terminal, a test) waits.
exec 8>"$KOUT/.kernel-lab.lock"
if ! flock -n 8; then
	note "another build of $KOUT is running; waiting for it"
	flock 8
fi
edited=false
if [ -f "$KOUT/.config" ] && [ -f "$written" ] && ! cmp -s "$written" "$KOUT/.config"; then
	edited=true
fi
names=$(printf '%s ' "${FRAGMENTS[@]#"$PATCH_DIR"/}")
if [ -f "$KOUT/.config" ] && [ "$(cat "$KOUT/.kernel-lab-config" 2>/dev/null)" = "$(config_hash)" ]; then
	echo "==> kernel config up to date ($KOUT/.config)"
	if $edited; then
		note "$KOUT/.config was changed since make kernel wrote it (not by make menuconfig):"
		config_changes >&2
		note "it is built as it is, but would be lost when a fragment changes: keep it with '$save_cmd' (-> $(rel "$LOCAL_FRAGMENT"))"
	fi
else
	if $edited; then
		note "$KOUT/.config was changed since make kernel wrote it (not by make menuconfig), and the"
		note "fragments changed too: configuring again would overwrite these changes:"
		config_changes >&2
		die "keep them as a fragment: '$save_cmd' (-> $(rel "$LOCAL_FRAGMENT")), then make kernel again; or drop them: rm $KOUT/.config"
	fi
	stage "configuring: x86_64_defconfig + kvm_guest.config + linux-patches/{${names% }}" "10 s"
	rm -f "$KOUT/.kernel-lab-config"
	run_logged kernel-config configure_kernel || die "kernel configuration failed"
	fragment_copies=()
	verify_fragments || die "the final .config lacks options asked for in linux-patches/ (above)"
	cp "$KOUT/.config" "$written"
	config_hash >"$KOUT/.kernel-lab-config"
fi
if $config_only; then
	echo "==> kernel configured: $KOUT/.config"
	exit 0
fi

stage "building the kernel: bzImage vmlinux modules (log: $LOG_DIR/kernel-build.log)" "~23 min on 2 cores; no-op ~15 s"
run_logged kernel-build make "${make_args[@]}" bzImage vmlinux modules scripts_gdb ||
	die "kernel build failed"
$edited || cp "$KOUT/.config" "$written"

release=$(cat "$KOUT/include/config/kernel.release")
staging=$KOUT-staging
# Re-stage only when a module or the kernel changed since the last staging.
if [ -f "$staging/.stamp" ] && [ -z "$(find "$KOUT" -name '*.ko' -newer "$staging/.stamp" -print -quit)" ] &&
	[ ! "$KOUT/modules.order" -nt "$staging/.stamp" ]; then
	echo "==> staged modules up to date ($staging/lib/modules/$release)"
else
	stage "staging modules for the image (modules_install, stripped)" "20 s"
	tmp=$(mktemp -d "$staging.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	run_logged kernel-modules-install make "${make_args[@]}" modules_install \
		INSTALL_MOD_PATH="$tmp" INSTALL_MOD_STRIP=1 || die "modules_install failed"
	touch "$tmp/.stamp"
	rm -rf "$staging"
	mv "$tmp" "$staging"
	trap - EXIT
fi
echo "==> kernel $release ready: $KOUT/arch/x86/boot/bzImage, $KOUT/vmlinux"
