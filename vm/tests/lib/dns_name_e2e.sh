# shellcheck shell=bash
# The end-to-end checks of xt_dns_name revision 0's rules (vm/tests/50-dns-name-*.sh), one
# iptables backend per test file so that the guest test runner can run them in parallel VMs.
# Source it after dns_name.sh, once dns_name_setup and dns_loopback_server have run.
#
#   dns_name_e2e BACKEND...   for each backend, IPv4 and IPv6: a DROP rule for example.com
#                             blocks exactly that name (any case) and "!" inverts it, in OUTPUT
#                             and INPUT, as the lab writes it (no -p: UDP and TCP) and with
#                             -p udp; -L, -S, save/restore, counters
#   dns_name_lab_command      the lab's command exactly as written (the plugin through
#                             XTABLES_LIBDIR), with the distribution's default iptables

dns_name_e2e() {
	local b fam ipt srv p t all saved
	for b in "$@"; do
		for fam in 4 6; do
			ipt=$(dns_ipt "$b" "$fam")
			if [ "$fam" = 4 ]; then srv=127.0.0.1; else srv=::1; fi
			# The lab's own command first (no -p: the match checks the protocol), then -p udp;
			# 52 shows every packet case alike with and without -p, so the second pass skips
			# the name variations.
			for p in "" "-p udp "; do
				t="$ipt${p:+ $p}"
				if [ -z "$p" ]; then all=true; else all=false; fi
				# shellcheck disable=SC2086 # $p is zero or two words
				check "$t: add OUTPUT rule: $ipt -m dns_name -I OUTPUT $p--domain example.com -j DROP" \
					"$ipt" -m dns_name -I OUTPUT $p--domain example.com -j DROP
				check "$t: example.com blocked" blocked "$srv" example.com
				! $all || check "$t: EXAMPLE.COM blocked" blocked "$srv" EXAMPLE.COM
				check "$t: example.org answered" answered "$srv" example.org
				! $all || check "$t: www.example.com answered" answered "$srv" www.example.com
				! $all || check "$t: notexample.com answered" answered "$srv" notexample.com
				expect_eq "$t: queries dropped" "$($all && echo 2 || echo 1) " "$(counters "$ipt" OUTPUT)"
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
				! $all || check "$t: inverted: Example.Com answered" answered "$srv" Example.Com
				check "$t: inverted: example.org blocked" blocked "$srv" example.org
				! $all || check "$t: inverted: www.example.com blocked" blocked "$srv" www.example.com
				expect_eq "$t: inverted: queries dropped" "$($all && echo 2 || echo 1) " "$(counters "$ipt" OUTPUT)"
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
		done
	done
}

dns_name_lab_command() {
	local fam ipt srv
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then ipt=iptables srv=127.0.0.1; else ipt=ip6tables srv=::1; fi
		check "XTABLES_LIBDIR=$LAB_DIR/xtables:... $ipt -m dns_name -I OUTPUT --domain example.com -j DROP" \
			env XTABLES_LIBDIR="$LAB_DIR/xtables:$XTABLES_SYSTEM_DIR" \
			"$ipt" -m dns_name -I OUTPUT --domain example.com -j DROP
		check "$ipt: example.com blocked" blocked "$srv" example.com
		check "$ipt: example.org answered" answered "$srv" example.org
		"$ipt" -F OUTPUT
	done
}
