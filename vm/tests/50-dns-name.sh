#!/bin/bash
# xt_dns_name end to end: dnsmasq on loopback answers every name; a DROP rule for example.com
# blocks exactly that name (any case) and "!" inverts it, over IPv4 and IPv6, in OUTPUT and
# INPUT, with iptables-legacy and iptables-nft, each as the lab writes it (no -p: UDP and
# TCP) and with -p udp; -L, -S, save/restore, counters. Revision 1: -p tcp, --domain-suffix,
# --qtype, a 253-octet name, rev-1 rules round-trip through save/restore, and saved rev-0
# rules restore unchanged; revision 0 never matches TCP. The lab's command with the default
# iptables; rmmod after the rules are gone.
# timeout: 600
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/tests/lib/dns_name.sh
. "$KLAB_LIB/dns_name.sh"

dns_name_setup dnsmasq dig
dnsmasq_start 127.0.0.1 ::1
for _ in $(seq 50); do answered 127.0.0.1 ready.test && break; sleep 0.1; done
check "dnsmasq answers on 127.0.0.1" answered 127.0.0.1 example.com
check "dnsmasq answers on ::1" answered ::1 example.com
check "dnsmasq answers over TCP" answered 127.0.0.1 example.com +tcp
check "dnsmasq answers AAAA" answered 127.0.0.1 example.com AAAA
# 253 octets in wire format (255 with the root label and the first length octet): the longest.
long=$(rep a 63).$(rep b 63).$(rep c 63).$(rep d 61)

for b in "${dns_backends[@]}"; do
	for fam in 4 6; do
		ipt=$(dns_ipt "$b" "$fam")
		if [ "$fam" = 4 ]; then srv=127.0.0.1; else srv=::1; fi
		# The lab's own command first (no -p: the match checks the protocol), then -p udp.
		for p in "" "-p udp "; do
			t="$ipt${p:+ $p}"
			# shellcheck disable=SC2086 # $p is zero or two words
			check "$t: add OUTPUT rule: $ipt -m dns_name -I OUTPUT $p--domain example.com -j DROP" \
				"$ipt" -m dns_name -I OUTPUT $p--domain example.com -j DROP
			check "$t: example.com blocked" blocked "$srv" example.com
			check "$t: EXAMPLE.COM blocked" blocked "$srv" EXAMPLE.COM
			check "$t: example.org answered" answered "$srv" example.org
			check "$t: www.example.com answered" answered "$srv" www.example.com
			check "$t: notexample.com answered" answered "$srv" notexample.com
			expect_eq "$t: two queries dropped" "2 " "$(counters "$ipt" OUTPUT)"
			if [ -z "$p" ]; then
				check "$t: example.com over TCP blocked" blocked "$srv" example.com +tcp
			else
				check "$t: example.com over TCP answered" answered "$srv" example.com +tcp
			fi
			check "$t: example.org over TCP answered" answered "$srv" example.org +tcp
			expect_line <("$ipt" -L OUTPUT -n) "$t: -L shows 'dns_name domain example.com'" \
				'dns_name domain example\.com'
			expect_eq "$t: -S shows the rule" "-A OUTPUT $p-m dns_name --domain example.com -j DROP" \
				"$("$ipt" -S OUTPUT | grep dns_name)"
			expect_eq "$t: iptables-save shows the rule" \
				"-A OUTPUT $p-m dns_name --domain example.com -j DROP" \
				"$(saved_rules "$ipt" | grep dns_name)"
			check_not "$t: rmmod refused while a rule uses the match" rmmod xt_dns_name
			"$ipt" -F OUTPUT

			# shellcheck disable=SC2086
			check "$t: add inverted OUTPUT rule" "$ipt" -A OUTPUT $p-m dns_name \
				! --domain example.com -j DROP
			check "$t: inverted: example.com answered" answered "$srv" example.com
			check "$t: inverted: Example.Com answered" answered "$srv" Example.Com
			check "$t: inverted: example.org blocked" blocked "$srv" example.org
			check "$t: inverted: www.example.com blocked" blocked "$srv" www.example.com
			expect_eq "$t: inverted: two queries dropped" "2 " "$(counters "$ipt" OUTPUT)"
			if [ -z "$p" ]; then
				check "$t: inverted: example.org over TCP blocked" blocked "$srv" example.org +tcp
			else
				check "$t: inverted: example.org over TCP answered" answered "$srv" example.org +tcp
			fi
			check "$t: inverted: example.com over TCP answered" answered "$srv" example.com +tcp
			expect_line <("$ipt" -L OUTPUT -n) "$t: inverted: -L shows 'dns_name domain ! example.com'" \
				'dns_name domain ! example\.com'
			expect_eq "$t: inverted: -S shows '! --domain'" \
				"-A OUTPUT $p-m dns_name ! --domain example.com -j DROP" \
				"$("$ipt" -S OUTPUT | grep dns_name)"

			# save, flush, restore: the same rules, still working.
			saved=$(saved_rules "$ipt")
			"$ipt" -F OUTPUT
			check "$t: restore the saved rules" "$ipt"-restore <<<"$saved"
			expect_eq "$t: restored rules save identically" "$saved" "$(saved_rules "$ipt")"
			check "$t: restored: example.org blocked" blocked "$srv" example.org
			check "$t: restored: example.com answered" answered "$srv" example.com
			"$ipt" -F OUTPUT

			# INPUT: the query leaves, the server never sees it, dig times out.
			# shellcheck disable=SC2086
			check "$t: add INPUT rule" "$ipt" -A INPUT $p-m dns_name --domain example.net -j DROP
			check "$t: INPUT: example.net blocked" blocked "$srv" example.net
			check "$t: INPUT: example.com answered" answered "$srv" example.com
			expect_eq "$t: INPUT: one query dropped" "1 " "$(counters "$ipt" INPUT)"
			"$ipt" -F INPUT
		done

		# Revision 1 with -p tcp: TCP queries only.
		check "$ipt -p tcp: add OUTPUT rule" "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		check "$ipt -p tcp: example.com over TCP blocked" blocked "$srv" example.com +tcp
		check "$ipt -p tcp: example.com over UDP answered" answered "$srv" example.com
		"$ipt" -F OUTPUT
		# Revision 0 (made through the test plugin) never matches TCP.
		check "$ipt rev 0 -p tcp: add OUTPUT rule" \
			dns_rev0 "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		check "$ipt rev 0 -p tcp: example.com over TCP answered" answered "$srv" example.com +tcp
		expect_eq "$ipt rev 0 -p tcp: nothing dropped" "0 " "$(counters "$ipt" OUTPUT)"
		"$ipt" -F OUTPUT
		check "$ipt rev 0 (no -p): add OUTPUT rule" \
			dns_rev0 "$ipt" -A OUTPUT -m dns_name --domain example.com -j DROP
		check "$ipt rev 0: example.com over UDP blocked" blocked "$srv" example.com
		check "$ipt rev 0: example.com over TCP answered" answered "$srv" example.com +tcp
		# Rules saved by a revision-0 plugin restore unchanged with this one (as revision 1,
		# the kernel's newest). (iptables-legacy 1.8.9 itself lists a revision-0 rule as
		# "[unsupported revision]" once the kernel has revision 1: libxtables keeps only
		# the newest revision a kernel supports.)
		saved=$(dns_rev0 saved_rules "$ipt")
		expect_line <(echo "$saved") "$ipt rev 0: saved as the lab writes it" \
			'^-A OUTPUT -m dns_name --domain example.com -j DROP$'
		"$ipt" -F OUTPUT
		check "$ipt rev 0: restore the saved rules" "$ipt"-restore <<<"$saved"
		expect_eq "$ipt rev 0: restored rules save identically" "$saved" "$(saved_rules "$ipt")"
		check "$ipt rev 0: restored: example.com blocked" blocked "$srv" example.com
		check "$ipt rev 0: restored: example.org answered" answered "$srv" example.org
		"$ipt" -F OUTPUT

		# --domain-suffix: the name and every name below it, on label boundaries.
		t="$ipt --domain-suffix"
		check "$t: add OUTPUT rule" "$ipt" -A OUTPUT -m dns_name --domain-suffix Example.COM -j DROP
		check "$t: example.com blocked" blocked "$srv" example.com
		check "$t: www.example.com blocked" blocked "$srv" www.example.com
		check "$t: a.b.EXAMPLE.com blocked" blocked "$srv" a.b.EXAMPLE.com
		check "$t: www.example.com over TCP blocked" blocked "$srv" www.example.com +tcp
		check "$t: notexample.com answered" answered "$srv" notexample.com
		check "$t: example.com.org answered" answered "$srv" example.com.org
		expect_line <("$ipt" -L OUTPUT -n) "$t: -L shows 'dns_name domain-suffix example.com'" \
			'dns_name domain-suffix example\.com'
		expect_eq "$t: -S shows the rule" "-A OUTPUT -m dns_name --domain-suffix example.com -j DROP" \
			"$("$ipt" -S OUTPUT | grep dns_name)"
		"$ipt" -F OUTPUT

		# --qtype: only questions of these types.
		t="$ipt --qtype"
		check "$t: add OUTPUT rule" "$ipt" -A OUTPUT -m dns_name --domain example.com --qtype aaaa,MX -j DROP
		check "$t: AAAA example.com blocked" blocked "$srv" example.com AAAA
		check "$t: A example.com answered" answered "$srv" example.com
		check "$t: AAAA example.org answered" answered "$srv" example.org AAAA
		expect_eq "$t: -S shows the rule" "-A OUTPUT -m dns_name --domain example.com --qtype AAAA,MX -j DROP" \
			"$("$ipt" -S OUTPUT | grep dns_name)"
		"$ipt" -F OUTPUT

		# Inverted suffix and qtype list: saved, restored, the same rule.
		check "$ipt: add inverted suffix rule with QTYPEs" "$ipt" -A OUTPUT -m dns_name \
			! --domain-suffix example.com --qtype A,AAAA,65 -j DROP
		check "$ipt: inverted suffix: www.example.com answered" answered "$srv" www.example.com
		check "$ipt: inverted suffix: example.org blocked" blocked "$srv" example.org
		saved=$(saved_rules "$ipt")
		expect_line <(echo "$saved") "$ipt: saved as '! --domain-suffix example.com --qtype A,AAAA,HTTPS'" \
			'^-A OUTPUT -m dns_name ! --domain-suffix example.com --qtype A,AAAA,HTTPS -j DROP$'
		"$ipt" -F OUTPUT
		check "$ipt: restore it" "$ipt"-restore <<<"$saved"
		expect_eq "$ipt: restored rev-1 rules save identically" "$saved" "$(saved_rules "$ipt")"
		check "$ipt: restored: example.org blocked" blocked "$srv" example.org
		"$ipt" -F OUTPUT

		# Revision 1 names go to the DNS limit (revision 0: 127 octets).
		check "$ipt: add a rule for a 253-octet name" "$ipt" -A OUTPUT -m dns_name --domain "$long" -j DROP
		check "$ipt: the 253-octet name blocked" blocked "$srv" "$long"
		check "$ipt: one label less answered" answered "$srv" "${long#*.}"
		"$ipt" -F OUTPUT
	done
done

# The lab's command exactly as written (the plugin through XTABLES_LIBDIR), with the
# distribution's default iptables.
for fam in 4 6; do
	if [ "$fam" = 4 ]; then ipt=iptables srv=127.0.0.1; else ipt=ip6tables srv=::1; fi
	check "XTABLES_LIBDIR=$LAB_DIR/xtables:... $ipt -m dns_name -I OUTPUT --domain example.com -j DROP" \
		env XTABLES_LIBDIR="$LAB_DIR/xtables:$XTABLES_SYSTEM_DIR" \
		"$ipt" -m dns_name -I OUTPUT --domain example.com -j DROP
	check "$ipt: example.com blocked" blocked "$srv" example.com
	check "$ipt: example.org answered" answered "$srv" example.org
	"$ipt" -F OUTPUT
done

dns_name_unload
tap_done
