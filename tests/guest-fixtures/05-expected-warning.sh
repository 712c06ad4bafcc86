#!/bin/bash
# The same WARNING, declared: it must not fail the test.
# timeout: 20
# expect-splat: WARNING: .*lkdtm
mount -t debugfs none /sys/kernel/debug 2>/dev/null
modprobe lkdtm || exit 1
echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
exit 0
