#!/bin/bash
# xt_dns_name revision 1 end to end with iptables-legacy (dnsmasq on loopback, IPv4 and IPv6):
# -p tcp matches TCP queries only; revision 0 (made through the test plugin) never matches TCP,
# and rules a revision-0 plugin saved restore unchanged; --domain-suffix (the name and names
# below it, over UDP and TCP, -L and -S); --qtype; an inverted suffix rule with QTYPEs
# round-trips through save and restore; a 255-octet (wire) name. The checks are in
# lib/dns_name_rev1.sh; iptables-nft's run is 54-dns-name-rev1-nft.sh, a test of its own so
# that two VMs share the work.
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
dns_name_rev1 legacy

dns_name_unload
tap_done
