#!/bin/bash
# xt_dns_name revision 1 end to end with iptables-nft: the checks of 54-dns-name-rev1-legacy.sh
# (in lib/dns_name_rev1.sh).
# timeout: 400
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/tests/lib/dns_name.sh
. "$KLAB_LIB/dns_name.sh"
# shellcheck source=vm/tests/lib/dns_name_rev1.sh
. "$KLAB_LIB/dns_name_rev1.sh"

dns_name_setup dnsmasq dig
dns_loopback_server
check "dnsmasq answers AAAA" answered 127.0.0.1 example.com AAAA
dns_name_rev1 nft

dns_name_unload
tap_done
