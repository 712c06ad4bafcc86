#!/usr/bin/env bash
# The one place where the lab's paths are derived. Sourced, it sets the variables below for a
# script; run, it prints them as NAME=value lines (no spaces in values) for the Makefile.
# Inputs (env): BUILD_DIR, KERNEL (lab|debian), KSRC, SUITE; any output may be given to override it.
# Outputs: KLAB_ROOT (the checkout), BUILD_DIR (default KLAB_ROOT/build), KOUT (kernel build
#   dir = KDIR for modules), KIMAGE (bzImage/vmlinuz), INITRD (empty for lab), MODULES_STAGING
#   (…/lib/modules/<release> lives below it), VMLINUX (the debug vmlinux; for debian only with
#   DEBIAN_DBG=1), EXT_DIR (the lab's modules and plugin built against KOUT), IMAGE, ROOTFS,
#   INJECT_DIR, BIN_DIR (host tools), LOG_DIR.
# Exit: 2 on an invalid KERNEL.

klab_paths() {
	local key v
	KLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	BUILD_DIR=$(realpath -m "${BUILD_DIR:-$KLAB_ROOT/build}")
	KERNEL=${KERNEL:-lab}
	SUITE=${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
	case $KERNEL in
	lab | debian) ;;
	*)
		echo "KERNEL=$KERNEL is not valid; use one of: lab debian" >&2
		return 2
		;;
	esac
	# A value already in the environment is the caller's override (make passes them all down),
	# unless it was derived for other inputs (e.g. make's lab paths in a KERNEL=debian run).
	key="$BUILD_DIR|$KERNEL|${KSRC:-}|$SUITE"
	if [ "${KLAB_PATHS_KEY:-$key}" != "$key" ]; then
		for v in $KLAB_DERIVED; do unset "$v"; done
	fi
	KLAB_PATHS_KEY=$key
	case $KERNEL in
	lab)
		if [ -z "${KSRC:-}" ]; then
			: "${KOUT:=$BUILD_DIR/linux}"
		else
			: "${KOUT:=$BUILD_DIR/linux-$(realpath -m "$KSRC" | sha1sum | cut -c1-8)}"
		fi
		: "${KIMAGE:=$KOUT/arch/x86/boot/bzImage}"
		INITRD=
		: "${VMLINUX:=$KOUT/vmlinux}"
		;;
	debian)
		# tools/kernel/build-debian.sh: build = the unpacked linux-headers tree (a KDIR for M=
		# builds), build-staging = the image package's lib/modules, vmlinux with DEBIAN_DBG=1
		: "${KOUT:=$BUILD_DIR/debian-kernel/build}"
		: "${KIMAGE:=$BUILD_DIR/debian-kernel/vmlinuz}"
		: "${INITRD:=$BUILD_DIR/debian-kernel/initrd.cpio.gz}"
		: "${VMLINUX:=$BUILD_DIR/debian-kernel/vmlinux}"
		;;
	esac
	: "${MODULES_STAGING:=$KOUT-staging}"
	: "${EXT_DIR:=$KOUT-ext}"
	: "${ROOTFS:=$BUILD_DIR/rootfs/$SUITE}"
	: "${IMAGE:=$BUILD_DIR/images/$SUITE-$KERNEL.ext4}"
	: "${INJECT_DIR:=$BUILD_DIR/inject/$KERNEL}"
	: "${BIN_DIR:=$BUILD_DIR/bin}"
	: "${LOG_DIR:=$BUILD_DIR/logs}"
	# shellcheck disable=SC2086,SC2163 # a list of names
	export KLAB_ROOT BUILD_DIR KERNEL SUITE KLAB_PATHS_KEY $KLAB_DERIVED
}

# Everything derived from (BUILD_DIR, KERNEL, KSRC, SUITE).
KLAB_DERIVED="KOUT KIMAGE INITRD MODULES_STAGING EXT_DIR VMLINUX ROOTFS IMAGE INJECT_DIR BIN_DIR LOG_DIR"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	klab_paths || exit 2
	for v in KLAB_ROOT BUILD_DIR KERNEL SUITE KLAB_PATHS_KEY $KLAB_DERIVED; do
		printf '%s=%s\n' "$v" "${!v}"
	done
	printf 'KLAB_DERIVED=%s\n' "${KLAB_DERIVED// /,}"
else
	klab_paths
fi
