#!/bin/bash
# xt_dns_name end to end with iptables-nft: the checks of 50-dns-name-legacy.sh (in
# lib/dns_name_e2e.sh), then the lab's command exactly as written (the plugin through
# XTABLES_LIBDIR) with the distribution's default iptables; rmmod after the rules are gone.
# timeout: 400
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/tests/lib/dns_name.sh
. "$KLAB_LIB/dns_name.sh"
# shellcheck source=vm/tests/lib/dns_name_e2e.sh
. "$KLAB_LIB/dns_name_e2e.sh"

dns_name_setup dnsmasq dig
dns_loopback_server
dns_name_e2e nft
dns_name_lab_command

dns_name_unload
tap_done
