#!/bin/bash
# A test that passes by its own measure while the kernel prints a real WARNING (lkdtm).
# timeout: 20
mount -t debugfs none /sys/kernel/debug 2>/dev/null
modprobe lkdtm || exit 1
echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
exit 0
