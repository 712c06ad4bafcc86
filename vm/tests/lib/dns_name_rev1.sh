# shellcheck shell=bash
# The end-to-end checks of xt_dns_name revision 1's own options (vm/tests/54-dns-name-rev1-*.sh),
# one iptables backend per test file so that the guest test runner can run them in parallel VMs.
# Source it after dns_name.sh, once dns_name_setup and dns_loopback_server have run.
#
#   dns_name_rev1 BACKEND...  for each backend, IPv4 and IPv6: -p tcp matches TCP queries only;
#                             revision 0 (made through the test plugin) never matches TCP, and
#                             rules a revision-0 plugin saved restore unchanged; --domain-suffix
#                             (the name and names below it, over UDP and TCP, -L and -S);
#                             --qtype; an inverted suffix rule with QTYPEs round-trips through
#                             save and restore; a 255-octet (wire) name

dns_name_rev1() {
	local b fam ipt srv t saved long
	# 253 characters, 255 octets in wire format: the longest name.
	long=$(rep a 63).$(rep b 63).$(rep c 63).$(rep d 61)
	for b in "$@"; do
		for fam in 4 6; do
			ipt=$(dns_ipt "$b" "$fam")
			if [ "$fam" = 4 ]; then srv=127.0.0.1; else srv=::1; fi
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
			check "$ipt: add a rule for a 255-octet name" "$ipt" -A OUTPUT -m dns_name --domain "$long" -j DROP
			check "$ipt: the 255-octet name blocked" blocked "$srv" "$long"
			check "$ipt: one label less answered" answered "$srv" "${long#*.}"
			"$ipt" -F OUTPUT
		done
	done
}
