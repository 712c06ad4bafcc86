// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only variant of the dns_name plugin, for the guest test that hands
 * the kernel rules the real plugin refuses: the production plugin, compiled
 * in here as it is, with its option table, parse and final check swapped
 * before iptables looks the match up:
 *   --domain NAME    labels split at dots and copied as given, unvalidated
 *   --raw-hex HEX    the bytes of the match data, zero-padded
 */
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
	dns_name_help();
	printf(
"TEST BUILD, no validation:\n"
"    --domain name      labels copied as given\n"
"    --raw-hex hex      raw bytes of the match data (zero-padded)\n");
}

/* Labels split at dots, copied as given: may be invalid on purpose. */
static void unchecked_domain(__u8 *name, size_t size, const char *text)
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

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_RAW_DOMAIN:
		info->flags = XT_DNS_NAME | (cb->invert ? XT_DNS_NAME_INV : 0);
		unchecked_domain(info->name, sizeof(info->name), cb->arg);
		break;
	case O_RAW_HEX:
		unchecked_hex(cb->data, sizeof(*info), cb->arg);
		break;
	}
}

static void unchecked_fcheck(struct xt_fcheck_call *cb)
{
	if (!(cb->xflags & (1 << O_RAW_DOMAIN | 1 << O_RAW_HEX)))
		xtables_error(PARAMETER_PROBLEM,
			      "dns_name: --domain or --raw-hex is required");
}

/* Registration only queues the match: this may run before or after it. */
static void __attribute__((constructor)) unchecked_init(void)
{
	dns_name_match.help = unchecked_help;
	dns_name_match.x6_options = unchecked_opts;
	dns_name_match.x6_parse = unchecked_parse;
	dns_name_match.x6_fcheck = unchecked_fcheck;
}
