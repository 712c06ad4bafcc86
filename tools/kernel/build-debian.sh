#!/usr/bin/env bash
# Prepare Debian's packaged kernel for the lab (make kernel KERNEL=debian): nothing is compiled
# and nothing is installed into the host's /boot or /lib/modules. It follows linux-image-amd64 to
# the concrete linux-image-<rel>, downloads that, linux-headers-<rel>, its -common tree and
# linux-kbuild, unpacks them with dpkg-deb -x, makes the headers usable as a KDIR, depmods the
# modules and builds the initramfs that loads the root disk's modules (tools/kernel/mkinitramfs.sh).
#
# Usage: tools/kernel/build-debian.sh        (configured by the environment; -h prints this)
# Env:   BUILD_DIR   required; the paths below come from tools/lib/paths.sh with KERNEL=debian
#        KOUT        optional; if set it must be the path paths.sh derives
#        DEBIAN_DBG  1: also fetch linux-image-<rel>-dbg (855 MB) and keep its vmlinux
# Output, under $BUILD_DIR/debian-kernel (links into the unpacked packages):
#   build           KOUT: the linux-headers-<rel> tree (make -C build M=dir modules)
#   build-staging   MODULES_STAGING: lib/modules/<rel>, every module of the image, depmod'ed
#   vmlinuz, initrd.cpio.gz   KIMAGE, INITRD
#   vmlinux         VMLINUX, only with DEBIAN_DBG=1
#   <rel>_<version>/  the unpacked packages; current -> it; debs/ the downloaded .debs
# A second run with the same package versions only says that it has nothing to do.
# Exit: 0 ready; 1 failure (one line says what, the logs are in $LOG_DIR); 2 usage.
set -euo pipefail
caller_kout=${KOUT:-}
KERNEL=debian
unset KOUT KIMAGE INITRD MODULES_STAGING VMLINUX # this script decides where they go
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"
case ${1:-} in
"") ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac
dbg=${DEBIAN_DBG:-0}
case $dbg in 0 | 1) ;; *) die "DEBIAN_DBG=$dbg is not valid; use 0 or 1" ;; esac
[ -z "$caller_kout" ] || [ "$(realpath -ms "$caller_kout")" = "$KOUT" ] ||
	die "KOUT=$caller_kout, but for KERNEL=debian tools/lib/paths.sh puts it at $KOUT: unset KOUT"
dk=$(dirname "$KOUT")
for p in "$KIMAGE" "$INITRD" "$MODULES_STAGING" "$VMLINUX"; do
	[ "$(dirname "$p")" = "$dk" ] || die "tools/lib/paths.sh puts $p outside $dk; this script expects all of KOUT, KIMAGE, INITRD, MODULES_STAGING, VMLINUX there"
done
debs=$dk/debs
PATH=$PATH:/usr/sbin:/sbin # depmod; a non-root PATH may lack it
apt_opts=(-q -o DPkg::Lock::Timeout=600)
# as root apt would hand the download to user _apt, who cannot write into BUILD_DIR (a warning)
[ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)

mkdir -p "$debs"
# One run at a time. The lock is held by flock(1) around this script, not by a descriptor of
# ours: run_logged's ticker (a sleep) would inherit that and hold the lock a minute too long.
if [ "${KLAB_DEBIAN_KERNEL_LOCKED:-}" != "$dk" ]; then
	flock -n "$dk/.lock" true || note "another run is preparing $dk; waiting for it"
	KLAB_DEBIAN_KERNEL_LOCKED=$dk exec flock -o "$dk/.lock" "$0" "$@"
fi
# holding the lock, any temporary left here belongs to a dead run
rm -rf --one-file-system "$dk"/.tmp.*
"$KLAB_ROOT/tools/host/deps.sh" debian || exit 1 # dpkg-dev, cpio, busybox-static

# apt_field PKG[=VERSION] FIELD: the field of the candidate (or that version) in apt's lists.
apt_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n 1
}

# --- which packages: linux-image-amd64 -> linux-image-<rel> (= version) -> headers, common, kbuild
meta=linux-image-amd64
resolve_packages() {
	local dep hdeps
	dep=$(apt_field "$meta" Depends | tr ',' '\n' | grep -m 1 -E '^ *linux-image-[0-9]' || true)
	if [ -z "$dep" ] && [ "$(id -u)" -eq 0 ]; then
		note "apt knows no $meta: refreshing the package lists once (apt-get update)"
		run_logged apt-update apt-get "${apt_opts[@]}" update || die "apt-get update failed (log: $LOG_DIR/apt-update.log)"
		dep=$(apt_field "$meta" Depends | tr ',' '\n' | grep -m 1 -E '^ *linux-image-[0-9]' || true)
	fi
	[ -n "$dep" ] || die "apt knows no $meta (or it depends on no linux-image-<release>): run apt-get update, check the apt sources"
	image_pkg=$(sed -E 's/^ *([^ ]+).*/\1/' <<<"$dep")
	version=$(sed -nE 's/.*\(= *([^)]+)\).*/\1/p' <<<"$dep")
	[ -n "$version" ] || version=$(apt_field "$image_pkg" Version)
	[ -n "$version" ] || die "apt has no candidate for $image_pkg (which $meta depends on)"
	headers_pkg=linux-headers-${image_pkg#linux-image-}
	hdeps=$(apt_field "$headers_pkg=$version" Depends)
	[ -n "$hdeps" ] || die "apt has no $headers_pkg at version $version (needed beside $image_pkg $version)"
	common_pkg=$(grep -oE 'linux-headers-[^ ,]+-common' <<<"$hdeps" | head -n 1)
	kbuild_pkg=$(grep -oE 'linux-kbuild-[^ ,]+' <<<"$hdeps" | head -n 1)
	[[ -n $common_pkg && -n $kbuild_pkg ]] || die "$headers_pkg $version depends on no -common or linux-kbuild package: $hdeps"
}

# apt-cache takes seconds here (no pkgcache.bin), so the answer is kept until apt's lists,
# sources or pins change: a cached run then costs well under a second.
apt_state() {
	local lists
	lists=$(apt-config shell L Dir::State::lists/d | sed -nE "s/^L='(.*)'$/\1/p")
	{
		echo "${APT_CONFIG:-}"
		stat -c '%n %s %Y' "${lists:-/var/lib/apt/lists/}"*Packages* /etc/apt/sources.list \
			/etc/apt/sources.list.d/* /etc/apt/preferences /etc/apt/preferences.d/* 2>/dev/null || true
	} | sha256sum | cut -c1-16
}
resolved=$dk/.resolved
state=$(apt_state)
if [ "$(sed -n 1p "$resolved" 2>/dev/null)" = "$state" ]; then
	read -r version image_pkg headers_pkg common_pkg kbuild_pkg < <(sed -n 2p "$resolved")
fi
if [ -z "${kbuild_pkg:-}" ]; then
	resolve_packages
	printf '%s\n%s %s %s %s %s\n' "$(apt_state)" "$version" "$image_pkg" "$headers_pkg" "$common_pkg" \
		"$kbuild_pkg" >"$resolved.tmp"
	mv -f "$resolved.tmp" "$resolved"
fi
rel=${image_pkg#linux-image-}
pkgs=("$image_pkg" "$headers_pkg" "$common_pkg" "$kbuild_pkg")

vname=${rel}_${version//[:~]/_}
vdir=$dk/$vname
# "layout N": bump N when the unpacking or fix-ups below change, so cached trees are redone
stamp_want=$(echo "layout 1"; for p in "${pkgs[@]}"; do echo "$p=$version"; done)
# the initramfs depends on its own scripts and busybox too, not only on the kernel
initrd_want=$(printf '%s\n' "$stamp_want"; cat "$KLAB_ROOT/tools/kernel/mkinitramfs.sh" "$KLAB_ROOT/tools/kernel/initramfs-init" /bin/busybox 2>/dev/null | sha256sum | cut -c1-16)
tree_ok() { [ -f "$vdir/.stamp" ] && [ "$(cat "$vdir/.stamp")" = "$stamp_want" ]; }
initrd_ok() { [ -f "$vdir/initrd.cpio.gz" ] && [ "$(cat "$vdir/initrd.inputs" 2>/dev/null)" = "$initrd_want" ]; }
links_ok() {
	[ "$(readlink "$dk/current" 2>/dev/null)" = "$vname" ] && [ -d "$KOUT" ] && [ -d "$MODULES_STAGING" ] &&
		[ -f "$KIMAGE" ] && [ -f "$INITRD" ] && { [ "$dbg" = 0 ] || [ -f "$VMLINUX" ]; }
}
if tree_ok && initrd_ok && links_ok; then
	note "Debian kernel $rel ($version) is up to date in $dk: nothing to do"
	exit 0
fi

# --- download, unpack, fix up: into a temporary folder, renamed into place when complete
deb_of() { # PKG: the downloaded .deb of PKG at $version (apt writes an epoch's ':' as %3a)
	local f
	for f in "$debs/${1}_${version//:/%3a}_"*.deb; do [ -f "$f" ] && echo "$f" && return; done
	die "apt-get download of $1 $version left no .deb in $debs"
}

download() { # PKG...: fetch PKG=$version into debs/ (apt skips a complete file it already has)
	local p log=$LOG_DIR/debian-kernel-download.log line
	mkdir -p "$LOG_DIR"
	for p in "$@"; do
		if ! (cd "$debs" && apt-get "${apt_opts[@]}" download "$p=$version") >>"$log" 2>&1; then
			line=$(grep -E '^E: ' "$log" | tail -n 1)
			die "cannot download $p $version: ${line:-$(tail -n 1 "$log")} (log: $log)"
		fi
	done
}

# relink_absolute DIR: a symlink to /x inside a package means /x on the host; point it at DIR/x
relink_absolute() {
	local link target
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$1$target")" "$link"
	done < <(find "$1" -type l -lname '/*' -print0)
}

prepare_tree() {
	local tmp start hdr deb
	tmp=$(mktemp -d "$dk/.tmp.XXXXXX")
	chmod 755 "$tmp" # mktemp's 0700 would hide the tree from non-root users of the cache
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf --one-file-system '$tmp'" EXIT

	stage "downloading ${pkgs[*]} ($version)" "about 85 MB, under a minute"
	start=$SECONDS
	download "${pkgs[@]}"
	echo "    downloaded in $((SECONDS - start))s"

	stage "unpacking with dpkg-deb -x (nothing is installed)" "about 10 s"
	start=$SECONDS
	run_logged debian-kernel-unpack dpkg-deb -x "$(deb_of "$image_pkg")" "$tmp/image" ||
		die "cannot unpack $image_pkg (log: $LOG_DIR/debian-kernel-unpack.log)"
	for p in "$headers_pkg" "$common_pkg" "$kbuild_pkg"; do
		deb=$(deb_of "$p")
		run_logged debian-kernel-unpack dpkg-deb -x "$deb" "$tmp/headers" ||
			die "cannot unpack $p (log: $LOG_DIR/debian-kernel-unpack.log)"
	done
	echo "    unpacked in $((SECONDS - start))s"

	hdr=$tmp/headers/usr/src/linux-headers-$rel
	[ -f "$hdr/Makefile" ] || die "$headers_pkg has no usr/src/linux-headers-$rel/Makefile"
	[ -f "$hdr/Module.symvers" ] || die "$headers_pkg has no Module.symvers: modules could not be versioned"
	[ -f "$tmp/image/boot/vmlinuz-$rel" ] || die "$image_pkg has no boot/vmlinuz-$rel"
	# Debian's per-flavour Makefile includes the -common tree by absolute path: the unpacked one
	sed -i -e "s|/usr/src/|$vdir/headers/usr/src/|g" \
		-e "s|/usr/lib/linux-kbuild-|$vdir/headers/usr/lib/linux-kbuild-|g" "$hdr/Makefile"
	relink_absolute "$tmp/headers"
	relink_absolute "$tmp/image"
	# Debian ships the upstream version (6.1.x) here; mkimage.sh and the tests read the release
	echo "$rel" >"$hdr/include/config/kernel.release"
	[ -x "$hdr/scripts/mod/modpost" ] || die "scripts/mod/modpost does not resolve inside the unpacked $kbuild_pkg"

	stage "depmod and initramfs for $rel" "about 10 s"
	start=$SECONDS
	run_logged debian-kernel-depmod depmod -b "$tmp/image" "$rel" ||
		die "depmod failed (log: $LOG_DIR/debian-kernel-depmod.log)"
	build_initrd "$tmp"
	echo "    depmod and initramfs in $((SECONDS - start))s"

	ln -s "headers/usr/src/linux-headers-$rel" "$tmp/build"
	ln -s "image/boot/vmlinuz-$rel" "$tmp/vmlinuz"
	rm -rf --one-file-system "$vdir"
	mv -T "$tmp" "$vdir"
	trap - EXIT
	# the fixed-up Makefile must resolve now that the tree is at its final path (a wrong
	# include fails here; kernelversion is the upstream 6.1.x, not the release)
	local got
	got=$(make -s -C "$vdir/build" kernelversion 2>&1) || got="make failed: $got"
	[[ $got =~ ^[0-9]+\.[0-9]+ ]] || die "the unpacked headers do not work as a KDIR: make kernelversion says '$got'"
	printf '%s\n' "$stamp_want" >"$vdir/.stamp"
}

build_initrd() { # DIR: a version folder (image/ unpacked and depmod'ed) that gets initrd.cpio.gz
	run_logged debian-kernel-initramfs "$KLAB_ROOT/tools/kernel/mkinitramfs.sh" "$1/image" "$rel" "$1/initrd.cpio.gz" ||
		die "building the initramfs failed (log: $LOG_DIR/debian-kernel-initramfs.log)"
	printf '%s\n' "$initrd_want" >"$1/initrd.inputs"
}

extract_member() { # DEB MEMBER OUT
	dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" >"$3"
}

fetch_dbg() {
	local pkg=linux-image-$rel-dbg size isize deb start member
	size=$(apt_field "$pkg=$version" Size)
	isize=$(apt_field "$pkg=$version" Installed-Size)
	[ -n "$size" ] || die "apt has no $pkg at version $version"
	# Installed-Size is in KiB
	note "DEBIAN_DBG=1: $pkg is a $((size / 1000000)) MB download that unpacks to $((isize * 1024 / 1000000)) MB;" \
		"only its vmlinux (about 600 MB) is streamed out and kept: expect 1-3 minutes"
	stage "downloading $pkg ($version)" "$((size / 1000000)) MB"
	start=$SECONDS
	download "$pkg"
	deb=$(deb_of "$pkg")
	echo "    downloaded in $((SECONDS - start))s"
	stage "extracting vmlinux-$rel from $pkg" "1-3 min"
	start=$SECONDS
	member=./usr/lib/debug/boot/vmlinux-$rel
	# stream only the one member out of the 5 GB data.tar: nothing else touches the disk
	run_logged debian-kernel-dbg extract_member "$deb" "$member" "$vdir/vmlinux.tmp" ||
		die "cannot extract $member from $deb (log: $LOG_DIR/debian-kernel-dbg.log)"
	readelf -S "$vdir/vmlinux.tmp" 2>/dev/null | grep -q '\.debug_info' ||
		die "$member from $pkg has no .debug_info"
	mv -f "$vdir/vmlinux.tmp" "$vdir/vmlinux"
	rm -f "$deb" # vmlinux is what was wanted; 855 MB of .deb is not worth keeping
	echo "    extracted in $((SECONDS - start))s: $vdir/vmlinux ($(du -h "$vdir/vmlinux" | cut -f1))"
}

# link NAME TARGET: replace $dk/NAME by a symlink to TARGET in one rename
link() {
	ln -sfn "$2" "$dk/.tmp.link.$1"
	mv -Tf "$dk/.tmp.link.$1" "$dk/$1"
}

fresh=false
if ! tree_ok; then
	prepare_tree
	fresh=true
elif ! initrd_ok; then
	stage "initramfs for $rel (its inputs changed)" "about 5 s"
	build_initrd "$vdir"
fi
if [ "$dbg" = 1 ] && [ ! -f "$vdir/vmlinux" ]; then
	fetch_dbg
fi

link current "$vname"
link "${KOUT##*/}" current/build
link "${MODULES_STAGING##*/}" current/image
link "${KIMAGE##*/}" current/vmlinuz
link "${INITRD##*/}" current/initrd.cpio.gz
if [ -f "$vdir/vmlinux" ]; then link "${VMLINUX##*/}" current/vmlinux; else rm -f "$VMLINUX"; fi

# older versions: their folders and .debs go (nothing points at them any more)
for d in "$dk"/*_*/; do
	d=${d%/}
	[ "${d##*/}" = "$vname" ] || rm -rf --one-file-system "$d"
done
for f in "$debs"/*.deb; do
	[ -e "$f" ] || continue
	case ${f##*/} in *"_${version//:/%3a}_"*) ;; *) rm -f "$f" ;; esac
done

if $fresh && [ "$dbg" = 0 ] && [ ! -f "$vdir/vmlinux" ]; then
	note "no debug vmlinux for $rel: frames in the kernel itself stay symbol+offset" \
		"(make kernel KERNEL=debian DEBIAN_DBG=1 fetches it, 855 MB)"
fi
echo "==> Debian kernel $rel ($version) ready: $KIMAGE, $INITRD, KOUT=$KOUT," \
	"modules in $MODULES_STAGING/lib/modules/$rel"
