#!/usr/bin/env bash
# Host test of the dns_name iptables plugin (libxt_dns_name.so): help text,
# option errors, -L/save text, save -> parse round trip, restore --test, and
# valgrind. It never changes the host's firewall: every iptables command
# runs in a fresh network namespace (unshare -n), with --test or bad input.
# Prints TAP lines; exits 1 if any "not ok", 77 if it cannot run. Env: BUILD_DIR.
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

tmp=$(mktemp -d "$BUILD_DIR/dns-plugin.XXXXXX" 2>/dev/null) ||
	tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s -C "$KLAB_ROOT/modules/xt_dns_name" BUILD_DIR="$BUILD_DIR" \
	plugin host-tests >"$tmp/build.log" 2>&1; then
	tail -20 "$tmp/build.log" | sed 's/^/# /'
	bail_out "build plugin and driver failed"
fi
ok "build plugin and driver ($(head -1 "$tmp/build.log"))"

sys_libdir=$(pkg-config --variable=xtlibdir xtables)
export XTABLES_LIBDIR="$BUILD_DIR/xtables:$sys_libdir"
driver=$BUILD_DIR/host/xt_dns_name/xt-plugin-driver
vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite
	--error-exitcode=99)
netns() { unshare -n "$@"; }

netns true 2>/dev/null || skip_all "cannot create a network namespace"

# --help shows the option and the semantics.
help=$(netns iptables -m dns_name --help 2>&1 || true)
for want in '[!] --domain name' 'QR=0, OPCODE=0' 'never' 'malformed' \
	'subdomains do not match'; do
	if grep -qF -- "$want" <<<"$help"; then
		ok "--help mentions '$want'"
	else
		not_ok "--help mentions '$want'" "$help"
	fi
done

# Bad names fail in parsing (exit 2) with a clear message.
long_label=$(printf 'x%.0s' {1..64})
long_name="$(printf 'y%.0s' {1..63}).$(printf 'y%.0s' {1..62})"
max_name=${long_name%y}	# 127 octets in wire format: the longest that fits
bad_names=(
	''		'empty name'
	'.'		'empty name'
	'a..b'		'empty label'
	'.a'		'empty label'
	'a..'		'empty label'
	"$long_label"	'64 octets long, at most 63'
	"$long_name"	'128 octets in wire format, at most 127 fit'
	'a b'		"invalid character ' '"
	'exa*mple.com'	"invalid character '*'"
	'ex@mple.com'	"invalid character '@'"
	'a/b'		"invalid character '/'"
	'café.com'	'invalid character 0xc3'
)
for ((i = 0; i < ${#bad_names[@]}; i += 2)); do
	name=${bad_names[i]}
	prefix="dns_name: bad --domain \"$name\": "
	want=${bad_names[i + 1]}
	for ipt in iptables-legacy iptables-nft ip6tables-legacy; do
		rc=0
		out=$(netns "$ipt" -A OUTPUT -p udp -m dns_name \
			--domain "$name" -j DROP 2>&1) || rc=$?
		if [[ $rc -eq 2 ]] && grep -F -- "$prefix" <<<"$out" |
			grep -qF -- "$want"; then
			ok "$ipt rejects --domain '${name:0:20}'"
		else
			not_ok "$ipt rejects --domain '${name:0:20}'" \
				"exit $rc, want 2 and: $prefix...$want" "$out"
		fi
	done
done

expect_fail() { # DESC WANT-MESSAGE ARGS...
	local desc=$1 want=$2 rc=0 out
	shift 2
	out=$(netns iptables-legacy -A OUTPUT -p udp "$@" -j DROP 2>&1) ||
		rc=$?
	if [[ $rc -eq 2 ]] && grep -qF -- "$want" <<<"$out"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc, want 2 and: $want" "$out"
	fi
}
expect_fail "--domain is mandatory" 'option "--domain" must be specified' \
	-m dns_name
expect_fail "--domain only once" 'can only be used once' \
	-m dns_name --domain a.com --domain b.com
expect_fail "--raw-hex only in the test build" 'unknown option' \
	-m dns_name --raw-hex 01

# -L and save text, through the plugin itself (no kernel rule needed):
# revision 0 (a kernel that has only 0), then revision 1.
drive() { XT_PLUGIN_DRIVER_REV=0 "$driver" "$@" 2>&1; }
drive1() { XT_PLUGIN_DRIVER_REV=1 "$driver" "$@" 2>&1; }
expect_text() { # DESC WANT-PRINT WANT-SAVE ARGS...
	local desc=$1 print=$2 save=$3 out
	shift 3
	out=$(${drv:-drive} "$@") || true
	if grep -qxF -- "print: $print" <<<"$out" &&
		grep -qxF -- "save: $save" <<<"$out"; then
		ok "$desc"
	else
		not_ok "$desc" "want print: $print" "want save: $save" "$out"
	fi
}
expect_text "-L and save text" 'dns_name domain example.com' \
	'--domain example.com' --domain example.com
expect_text "-L and save text, inverted" 'dns_name domain ! example.com' \
	'! --domain example.com' ! --domain example.com
expect_text "stored lowercase, trailing dot dropped" \
	'dns_name domain www.example-1_x.com' \
	'--domain www.example-1_x.com' --domain WWW.Example-1_X.COM.

# The save text parses back to the same match data.
for args in "--domain example.com" "! --domain Example.COM." \
	"--domain $max_name" "--domain _srv.a"; do
	read -ra argv <<<"$args"
	first=$(drive "${argv[@]}") || true
	read -ra again <<<"$(sed -n 's/^save: //p' <<<"$first")"
	second=$(drive "${again[@]}") || true
	if [[ $first == *data:* && $first == "$second" ]]; then
		ok "save round trip: ${args:0:40}"
	else
		not_ok "save round trip: ${args:0:40}" "$first" "$second"
	fi
done

# Wire format in the data: flags, then the name, zero padded.
data=$(drive ! --domain Example.COM | sed -n 's/^data://p')
want=03076578616d706c6503636f6d00
if [[ $data == "$want"* && ${data#"$want"} =~ ^0+$ && ${#data} -eq 256 ]]
then
	ok "match data is flags + lowercase wire name + zeroes"
else
	not_ok "match data is flags + lowercase wire name + zeroes" "$data"
fi

# The unchecked test build copies raw bytes, for the guest EINVAL test.
raw=05ff41
data=$(XTABLES_LIBDIR="$BUILD_DIR/xtables-unchecked" drive --raw-hex $raw |
	sed -n 's/^data://p')
if [[ $data == "$raw"* && ${#data} -eq 256 ]]; then
	ok "unchecked build: --raw-hex fills the struct"
else
	not_ok "unchecked build: --raw-hex fills the struct" "$data"
fi
data=$(XTABLES_LIBDIR="$BUILD_DIR/xtables-unchecked" drive1 --raw-hex $raw |
	sed -n 's/^data://p')
if [[ $data == "$raw"* && ${#data} -eq 592 ]]; then
	ok "unchecked build: --raw-hex fills the revision-1 struct"
else
	not_ok "unchecked build: --raw-hex fills the revision-1 struct" "$data"
fi
out=$(XT_DNS_NAME_TEST_REV=0 XTABLES_LIBDIR="$BUILD_DIR/xtables-unchecked" drive1 --domain a)
expect_eq "unchecked build: XT_DNS_NAME_TEST_REV=0 hides revision 1" rev:0 "$(head -1 <<<"$out")"

# Revision 1: --domain-suffix, --qtype, 255-octet names.
expect_fail1() { # DESC WANT-MESSAGE ARGS...
	local desc=$1 want=$2 rc=0 out
	shift 2
	out=$(drive1 "$@") || rc=$?
	if [[ $rc -eq 2 ]] && grep -qF -- "$want" <<<"$out"; then
		ok "rev 1: $desc"
	else
		not_ok "rev 1: $desc" "exit $rc, want 2 and: $want" "$out"
	fi
}
name255="$(printf 'a%.0s' {1..63}).$(printf 'b%.0s' {1..63}).$(printf 'c%.0s' {1..63}).$(printf 'd%.0s' {1..61})"
expect_fail1 "a name is required" "--domain or --domain-suffix is required" --qtype A
expect_fail1 "--domain and --domain-suffix exclude each other" "cannot be used together" \
	--domain a.com --domain-suffix b.com
expect_fail1 "--domain-suffix once" "can only be used once" \
	--domain-suffix a.com --domain-suffix b.com
expect_fail1 "--qtype once" "can only be used once" --domain a.com --qtype A --qtype MX
expect_fail1 "bad suffix name" 'bad --domain-suffix "a..b": empty label' --domain-suffix a..b
expect_fail1 "257 octets do not fit" "257 octets in wire format, at most 255 fit" \
	--domain "x.$name255"
expect_fail1 "unknown QTYPE" "unknown QTYPE 'AAA'" --domain a.com --qtype A,AAA
expect_fail1 "QTYPE 0" "QTYPE 0 is out of range" --domain a.com --qtype 0
expect_fail1 "QTYPE 65536" "QTYPE 65536 is out of range" --domain a.com --qtype 65536
expect_fail1 "empty QTYPE" "empty QTYPE in the list" --domain a.com --qtype A,,MX
expect_fail1 "QTYPE twice" "QTYPE '1' is listed twice" --domain a.com --qtype A,1
expect_fail1 "17 QTYPEs" "more than 16 QTYPEs" --domain a.com --qtype "$(seq -s, 1 17)"
expect_fail "revision 0 has no --domain-suffix" "unknown option" -m dns_name --domain-suffix a.com

drv=drive1
expect_text "rev 1: --domain prints as in revision 0" 'dns_name domain example.com' \
	'--domain example.com' --domain example.com
expect_text "rev 1: --domain-suffix" 'dns_name domain-suffix example.com' \
	'--domain-suffix example.com' --domain-suffix Example.COM.
expect_text "rev 1: inverted suffix with QTYPEs" \
	'dns_name domain-suffix ! example.com qtype AAAA,MX,99,ANY' \
	'! --domain-suffix example.com --qtype AAAA,MX,99,ANY' \
	! --domain-suffix example.com --qtype aaaa,15,99,any
expect_text "rev 1: every mnemonic" 'dns_name domain a.b qtype A,AAAA,MX,TXT,NS,CNAME,SOA,PTR,SRV,HTTPS,ANY' \
	'--domain a.b --qtype A,AAAA,MX,TXT,NS,CNAME,SOA,PTR,SRV,HTTPS,ANY' \
	--domain a.b --qtype A,AAAA,MX,TXT,NS,CNAME,SOA,PTR,SRV,HTTPS,ANY
expect_text "rev 1: a 255-octet name" "dns_name domain $name255" "--domain $name255" \
	--domain "$name255."
unset drv
for args in "--domain example.com" "! --domain-suffix Example.COM." \
	"--domain $name255" "--domain-suffix _srv.a --qtype 33,65535,A" \
	"! --domain x.y --qtype $(seq -s, 1 16)"; do
	read -ra argv <<<"$args"
	first=$(drive1 "${argv[@]}") || true
	read -ra again <<<"$(sed -n 's/^save: //p' <<<"$first")"
	second=$(drive1 "${again[@]}") || true
	if [[ $first == *data:* && $first == "$second" ]]; then
		ok "rev 1: save round trip: ${args:0:40}"
	else
		not_ok "rev 1: save round trip: ${args:0:40}" "$first" "$second"
	fi
done
# Layout: qtypes[16] (host order), flags, qtype_count, name_len, name[255], padding.
data=$(drive1 ! --domain-suffix Example.COM --qtype AAAA,MX | sed -n 's/^data://p')
want=1c000f00$(printf '0%.0s' {1..56})06020d076578616d706c6503636f6d00
if [[ $data == "$want"* && ${data#"$want"} =~ ^0+$ && ${#data} -eq 592 ]]; then
	ok "rev 1: match data is qtypes, flags, count, name_len, wire name, zeroes"
else
	not_ok "rev 1: match data is qtypes, flags, count, name_len, wire name, zeroes" \
		"want: $want..." "got:  $data"
fi

# Whole rulesets in iptables-save form pass restore --test.
cat >"$tmp/rules4" <<'RULES'
*filter
-A OUTPUT -p udp -m dns_name --domain example.com -j DROP
-A OUTPUT -p udp -m dns_name ! --domain allowed.com -j DROP
COMMIT
RULES
sed 's/allowed/other/' "$tmp/rules4" >"$tmp/rules6"
for restore in iptables-legacy-restore iptables-nft-restore; do
	check "$restore --test accepts dns_name rules" \
		netns "$restore" --test "$tmp/rules4"
	v6=${restore/iptables/ip6tables}
	check "$v6 --test accepts dns_name rules" \
		netns "$v6" --test "$tmp/rules6"
done
sed 's/example.com/a..b/' "$tmp/rules4" >"$tmp/bad"
rc=0
out=$(netns iptables-legacy-restore --test "$tmp/bad" 2>&1) || rc=$?
if [[ $rc -ne 0 ]] && grep -qF 'empty label' <<<"$out"; then
	ok "restore --test rejects a bad name"
else
	not_ok "restore --test rejects a bad name" "exit $rc" "$out"
fi

# valgrind: the plugin under libxtables and iptables-legacy.
vg_check() { # DESC EXPECTED-EXIT COMMAND...
	local desc=$1 want=$2 rc=0
	shift 2
	"${vg[@]}" --log-file="$tmp/vg.log" "$@" >/dev/null 2>&1 || rc=$?
	if [[ $rc -eq $want ]] && ! grep -q . "$tmp/vg.log"; then
		ok "valgrind clean: $desc"
	else
		not_ok "valgrind clean: $desc" "exit $rc (want $want)" \
			"$(head -30 "$tmp/vg.log")"
	fi
}
vg_check "driver, inverted name" 0 "$driver" ! --domain Example.COM.
vg_check "driver, rev 1 suffix and QTYPEs" 0 "$driver" ! --domain-suffix Example.COM. \
	--qtype A,aaaa,99
vg_check "driver, rev 1 bad QTYPE" 2 "$driver" --domain a.com --qtype A,XYZ
vg_check "driver, bad name" 2 "$driver" --domain a..b
vg_check "driver, unchecked raw bytes" 0 env \
	XTABLES_LIBDIR="$BUILD_DIR/xtables-unchecked" "$driver" --raw-hex 0100
vg_check "iptables-legacy-restore --test" 0 \
	unshare -n iptables-legacy-restore --test "$tmp/rules4"
vg_check "iptables-legacy, bad name" 2 unshare -n iptables-legacy \
	-A OUTPUT -p udp -m dns_name --domain 'a..b' -j DROP

tap_done
