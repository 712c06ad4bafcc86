#!/bin/bash
# xt_dns_name end to end with iptables-legacy: dnsmasq on loopback answers every name; a DROP
# rule for example.com blocks exactly that name (any case) and "!" inverts it, over IPv4 and
# IPv6, in OUTPUT and INPUT, as the lab writes it (no -p: UDP and TCP) and with -p udp; -L, -S,
# save/restore, counters; rmmod after the rules are gone. The checks are in lib/dns_name_e2e.sh;
# iptables-nft's run is 50-dns-name-nft.sh, a test of its own so that two VMs share the work.
# (Revision 1's own options: 54-dns-name-rev1-*.sh.)
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
dns_name_e2e legacy

dns_name_unload
tap_done
