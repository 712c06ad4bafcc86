#!/bin/bash
# A real NULL-pointer oops (lkdtm EXCEPTION); the kernel survives it, the test must be reported "# oops".
# timeout: 20
# may-crash: yes
mount -t debugfs none /sys/kernel/debug 2>/dev/null
modprobe lkdtm || exit 1
echo EXCEPTION >/sys/kernel/debug/provoke-crash/DIRECT || exit 1
exit 0
