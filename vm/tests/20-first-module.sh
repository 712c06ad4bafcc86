#!/bin/bash
# The lab's first module: it loads, greets, shows in lsmod and modinfo, says goodbye, unloads.
# timeout: 30
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"

ko=$LAB_DIR/modules/my_first_module/test.ko
[ -f "$ko" ] || bail_out "missing $ko: run make inject"

kmsg_mark
check "insmod test.ko" insmod "$ko"
check "the kernel log says hello" grep -q 'my-first-module: Hello world!' <(kmsg_since)
check "lsmod lists test" grep -q '^test ' <(lsmod)
check "modinfo shows the description" grep -q '^description:.*my first module' <(modinfo "$ko")
check "rmmod test" rmmod test
check "the kernel log says goodbye" grep -q 'my-first-module: Goodbye cruel, cruel world!' <(kmsg_since)
check_not "lsmod no longer lists test" grep -q '^test ' /proc/modules
tap_done
