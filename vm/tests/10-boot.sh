#!/bin/bash
# The guest runs the kernel the harness built (not the host's), and in-tree modules load.
# timeout: 30
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"

release=$(uname -r)
echo "guest: $release, expected: $KLAB_KERNEL_RELEASE, host: $KLAB_HOST_RELEASE"
check "uname -r is the built kernel's release" test "$release" = "$KLAB_KERNEL_RELEASE"
check "it differs from the host's" test "$release" != "$KLAB_HOST_RELEASE"
check "modprobe xt_string (an in-tree module)" modprobe xt_string
check "lsmod lists xt_string" grep -q '^xt_string ' /proc/modules
check "modprobe -r xt_string" modprobe -r xt_string
tap_done
