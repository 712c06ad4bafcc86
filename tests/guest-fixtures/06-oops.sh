#!/bin/bash
# A real NULL-pointer oops (lkdtm); the kernel survives it, the test must be reported "# oops".
# timeout: 20
# may-crash: yes
mount -t debugfs none /sys/kernel/debug 2>/dev/null
modprobe lkdtm || exit 1
echo NULL_DEREF >/sys/kernel/debug/provoke-crash/DIRECT
exit 0
