// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only variant of the dns_name plugin, for the guest test that hands
 * the kernel rules the real plugin refuses: the production plugin, compiled
 * in here as it is, with its option table, parse and final check swapped
 * before iptables looks the match up (both revisions):
 *   --domain NAME    labels split at dots and copied as given, unvalidated
 *                    (revision 1: name_len is the length of what was copied)
 *   --raw-hex HEX    the bytes of the match data, zero-padded
 * XT_DNS_NAME_TEST_REV=0 hides revision 1, so that iptables uses 0 even
 * when the kernel has 1.
 */
#include <stdlib.h>

#include "../plugin/libxt_dns_name.c"

enum {
	O_RAW_DOMAIN = 0,
	O_RAW_HEX,
};

static const struct xt_option_entry unchecked_opts[] = {
	{.name = "domain", .id = O_RAW_DOMAIN, .type = XTTYPE_STRING,
	 .flags = XTOPT_INVERT, .excl = 1 << O_RAW_HEX},
	{.name = "raw-hex", .id = O_RAW_HEX, .type = XTTYPE_STRING,
	 .excl = 1 << O_RAW_DOMAIN},
	XTOPT_TABLEEND,
};

static void unchecked_help(void)
{
	printf(
"TEST BUILD, no validation:\n"
"    --domain name      labels copied as given\n"
"    --raw-hex hex      raw bytes of the match data (zero-padded)\n");
}

/*
 * Labels split at dots, copied as given: may be invalid on purpose.
 * Return the octets written.
 */
static size_t unchecked_domain(__u8 *name, size_t size, const char *text)
{
	size_t pos = 0, n;
	const char *dot;

	while (*text && pos < size) {
		dot = strchr(text, '.');
		n = dot ? (size_t)(dot - text) : strlen(text);
		name[pos++] = (__u8)n;
		for (; n > 0 && pos < size; n--)
			name[pos++] = (__u8)*text++;
		text += n;
		if (*text == '.')
			text++;
	}
	/* The root label, when it fits (zeroed already). */
	return pos < size ? pos + 1 : pos;
}

static void unchecked_hex(__u8 *raw, size_t size, const char *hex)
{
	size_t len = strlen(hex), i;
	unsigned int byte;

	if (len % 2 || len / 2 > size)
		xtables_error(PARAMETER_PROBLEM,
			      "dns_name: --raw-hex needs an even number of hex "
			      "digits, at most %zu", 2 * size);
	memset(raw, 0, size);
	for (i = 0; i < len / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
			xtables_error(PARAMETER_PROBLEM,
				      "dns_name: --raw-hex: bad hex at "
				      "offset %zu", 2 * i);
		raw[i] = (__u8)byte;
	}
}

static void unchecked_parse(struct xt_option_call *cb)
{
	struct xt_dns_name_mtinfo *info = cb->data;
	struct xt_dns_name_mtinfo1 *info1 = cb->data;
	__u8 flags = XT_DNS_NAME | (cb->invert ? XT_DNS_NAME_INV : 0);
	int rev1 = (*cb->match)->u.user.revision == 1;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_RAW_DOMAIN:
		if (!rev1) {
			info->flags = flags;
			unchecked_domain(info->name, sizeof(info->name),
					 cb->arg);
			break;
		}
		info1->flags = flags;
		info1->name_len = unchecked_domain(info1->name,
						   sizeof(info1->name),
						   cb->arg);
		break;
	case O_RAW_HEX:
		unchecked_hex(cb->data, rev1 ? sizeof(*info1) : sizeof(*info),
			      cb->arg);
		break;
	}
}

static void unchecked_fcheck(struct xt_fcheck_call *cb)
{
	if (!(cb->xflags & (1 << O_RAW_DOMAIN | 1 << O_RAW_HEX)))
		xtables_error(PARAMETER_PROBLEM,
			      "dns_name: --domain or --raw-hex is required");
}

/* Registration only queues the matches: this may run before or after it. */
static void __attribute__((constructor)) unchecked_init(void)
{
	const char *rev = getenv("XT_DNS_NAME_TEST_REV");
	size_t i;

	for (i = 0; i < sizeof(dns_name_mt_reg) / sizeof(dns_name_mt_reg[0]);
	     i++) {
		dns_name_mt_reg[i].help = unchecked_help;
		dns_name_mt_reg[i].x6_options = unchecked_opts;
		dns_name_mt_reg[i].x6_parse = unchecked_parse;
		dns_name_mt_reg[i].x6_fcheck = unchecked_fcheck;
		/* Another name: iptables never asks for it. */
		if (rev && dns_name_mt_reg[i].revision != atoi(rev))
			dns_name_mt_reg[i].name = "dns_name_hidden";
	}
}
