#!/usr/bin/env bash
# Choose QEMU's accelerator: prints "kvm (why)" or "tcg (why)". ACCEL=kvm|tcg overrides.
# KVM counts only where it really works: on a nested PVM hypervisor /dev/kvm opens, but a
# stock kernel hangs at "Decompressing Linux...", so only kvm_intel/kvm_amd count.
# Exit: 0, or 2 on an invalid ACCEL.
set -euo pipefail
case ${ACCEL:-} in
kvm | tcg) echo "$ACCEL (ACCEL=$ACCEL)" ;;
"")
	if [ ! -e /dev/kvm ]; then
		echo "tcg (/dev/kvm is missing: software emulation, boots are slower)"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "tcg (no permission on /dev/kvm: add yourself to group kvm)"
	elif [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; then
		echo "kvm (/dev/kvm backed by kvm_intel/kvm_amd)"
	elif [ -d /sys/module/kvm_pvm ]; then
		echo "tcg (/dev/kvm is a nested PVM hypervisor, on which this kernel hangs)"
	else
		echo "tcg (/dev/kvm present but neither kvm_intel nor kvm_amd is loaded)"
	fi
	;;
*)
	echo "ACCEL=$ACCEL is not valid; use kvm or tcg" >&2
	exit 2
	;;
esac
