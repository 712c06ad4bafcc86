#!/usr/bin/env bash
# The one place where the lab's paths are derived. Prints NAME=value lines (no spaces in values)
# for the Makefile and, when sourced, sets the same variables for a script.
# Inputs (env): BUILD_DIR, KERNEL (lab|debian), KSRC, SUITE. Exit 2 on an invalid KERNEL.
# Outputs: KOUT (kernel build dir), KIMAGE (bzImage/vmlinuz), INITRD (empty for lab),
#          MODULES_STAGING (…/lib/modules/<release> lives below it), VMLINUX (the debug vmlinux;
#          for debian only with DEBIAN_DBG=1), IMAGE, ROOTFS, INJECT_DIR.

klab_paths() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	BUILD_DIR=$(realpath -m "${BUILD_DIR:-$root/build}")
	KERNEL=${KERNEL:-lab}
	SUITE=${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
	case $KERNEL in
	lab)
		if [ -z "${KSRC:-}" ]; then
			KOUT=$BUILD_DIR/linux
		else
			KOUT=$BUILD_DIR/linux-$(realpath -m "$KSRC" | sha1sum | cut -c1-8)
		fi
		KIMAGE=$KOUT/arch/x86/boot/bzImage
		INITRD=
		VMLINUX=$KOUT/vmlinux
		;;
	debian)
		# tools/debian-kernel.sh: build = the unpacked linux-headers tree (a KDIR for M= builds),
		# build-staging = the image package's lib/modules, vmlinux only with DEBIAN_DBG=1
		KOUT=$BUILD_DIR/debian-kernel/build
		KIMAGE=$BUILD_DIR/debian-kernel/vmlinuz
		INITRD=$BUILD_DIR/debian-kernel/initrd.cpio.gz
		VMLINUX=$BUILD_DIR/debian-kernel/vmlinux
		;;
	*)
		echo "KERNEL=$KERNEL is not valid; use one of: lab debian" >&2
		return 2
		;;
	esac
	MODULES_STAGING=$KOUT-staging
	ROOTFS=$BUILD_DIR/rootfs/$SUITE
	IMAGE=$BUILD_DIR/images/$SUITE-$KERNEL.ext4
	INJECT_DIR=$BUILD_DIR/inject/$KERNEL
	export BUILD_DIR KERNEL SUITE KOUT KIMAGE INITRD MODULES_STAGING VMLINUX ROOTFS IMAGE INJECT_DIR
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	klab_paths || exit 2
	for v in BUILD_DIR KERNEL SUITE KOUT KIMAGE INITRD MODULES_STAGING VMLINUX ROOTFS IMAGE INJECT_DIR; do
		printf '%s=%s\n' "$v" "${!v}"
	done
else
	klab_paths
fi
