#!/usr/bin/env bash
# Build the small initramfs the Debian kernel needs to reach the lab's root disk: Debian builds
# virtio_pci, virtio_blk and ext4 (and what they depend on) as modules, so a cpio (newc, gzip)
# holds a static busybox, those modules and tools/kernel/initramfs-init, which loads them, mounts root=
# and switch_roots to init=. The modules and their load order come from the tree's modules.dep
# and modules.softdep (via modprobe --show-depends), never from the host's own kernel.
#
# Usage: tools/kernel/mkinitramfs.sh MODROOT RELEASE OUTPUT [MODULE...]
#   MODROOT  a tree holding lib/modules/RELEASE, already depmod'ed
#   OUTPUT   the .cpio.gz to write (replaced atomically)
#   MODULE   modules to load (default: virtio_pci virtio_blk ext4); dependencies are added
# Env: BUSYBOX (default /bin/busybox, from the busybox-static package; must be static)
# Exit: 0 written; 1 error (message on stderr); 2 usage.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

case ${1:-} in -h | --help) usage; exit 0 ;; esac
[ $# -ge 3 ] || { usage >&2; exit 2; }
modroot=$(realpath -e "$1" 2>/dev/null) || die "MODROOT $1 does not exist"
release=$2 output=$3
shift 3
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(virtio_pci virtio_blk ext4)
busybox=${BUSYBOX:-/bin/busybox}
init_script=$KLAB_ROOT/tools/kernel/initramfs-init

moddir=$modroot/lib/modules/$release
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep: run depmod -b $modroot $release first"
[ -x "$busybox" ] || die "no busybox at $busybox: install the busybox-static package (make deps)"
# a dynamic busybox would need the host's libc in the cpio
! readelf -l "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter' ||
	die "$busybox is dynamically linked; install busybox-static (it provides a static /bin/busybox)"
[ -f "$init_script" ] || die "missing $init_script"
PATH=$PATH:/usr/sbin:/sbin # modprobe lives there; a non-root PATH may lack it

tree=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-initramfs.XXXXXX")
trap 'rm -rf "$tree" "$output.tmp.$$"' EXIT
mkdir -p "$tree"/{bin,dev,etc,proc,sys,root,lib/modules/"$release"}
cp "$busybox" "$tree/bin/busybox"
# only what /init runs, plus a few for reading a failed boot (each link costs a fork here)
applets=(sh mount umount insmod switch_root env cat echo findfs awk usleep wc readlink sync ls dmesg)
have=$("$busybox" --list)
for applet in "${applets[@]}"; do
	grep -qx "$applet" <<<"$have" || die "$busybox has no '$applet' applet"
	ln -s busybox "$tree/bin/$applet"
done
install -m 0755 "$init_script" "$tree/init"
# lets the kernel give init a console before devtmpfs is mounted (only root can mknod;
# without it init reopens /dev/console itself after mounting devtmpfs)
mknod -m 600 "$tree/dev/console" c 5 1 2>/dev/null || true

# modprobe prints the load order, softdeps (ext4's crc32c) included: "insmod /abs/path.ko"
# for a module, "builtin NAME" for one built into the kernel.
declare -A seen=()
: >"$tree/etc/modules.load"
for m in "${modules[@]}"; do
	deps=$(modprobe --show-depends -d "$modroot" -S "$release" "$m" 2>&1) ||
		die "module $m is not in $moddir (modprobe: $deps)"
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		rel=${path#"$modroot"/}
		[ -z "${seen[$rel]+x}" ] || continue
		seen[$rel]=1
		dest=$tree/${rel%.ko*}.ko
		mkdir -p "$(dirname "$dest")"
		# busybox insmod wants plain ELF: decompress whatever Debian compressed
		case $path in
		*.ko) cp "$path" "$dest" ;;
		*.ko.xz) xz -dc "$path" >"$dest" ;;
		*.ko.zst) zstd -qdc "$path" >"$dest" ;;
		*.ko.gz) gzip -dc "$path" >"$dest" ;;
		*) die "unexpected module file $path" ;;
		esac
		echo "${rel%.ko*}.ko" >>"$tree/etc/modules.load"
	done <<<"$deps"
done
[ -s "$tree/etc/modules.load" ] || note "all of ${modules[*]} are built in: the initramfs loads no module"

# fixed owner and times: the same inputs give the same bytes
find "$tree" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$output")"
(cd "$tree" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --reproducible --quiet) | gzip -n >"$output.tmp.$$"
mv -f "$output.tmp.$$" "$output"
note "initramfs $output: $(wc -l <"$tree/etc/modules.load") modules ($(paste -sd' ' "$tree/etc/modules.load" | sed 's|[^ ]*/||g; s|\.ko||g')), $(du -h "$output" | cut -f1)"
