// SPDX-License-Identifier: GPL-2.0
/*
 * iptables/ip6tables match "dns_name": DNS queries by question name.
 * (tests/libxt_dns_name_unchecked.c builds a test variant from this file.)
 */
#include <stdio.h>
#include <string.h>
#include <xtables.h>

#include "dns_name_text.h"
#include "dns_parse.h"
#include "xt_dns_name.h"

enum {
	O_DOMAIN = 0,
};

static void dns_name_help(void)
{
	printf(
"dns_name match options:\n"
"[!] --domain name   Match DNS queries with a question for exactly this\n"
"                    name (ASCII case ignored; subdomains do not match).\n"
"                    A query is UDP to port 53 (the match checks the\n"
"                    protocol: -p udp is optional), not a later fragment,\n"
"                    with a complete header, QR=0, OPCODE=0.\n"
"                    Questions are read in order up to QDCOUNT and up to\n"
"                    the first malformed one (compression pointers are\n"
"                    malformed). Anything that is not a query never\n"
"                    matches; with !, queries without such a question\n"
"                    match, malformed ones included.\n");
}

static const struct xt_option_entry dns_name_opts[] = {
	{.name = "domain", .id = O_DOMAIN, .type = XTTYPE_STRING,
	 .flags = XTOPT_MAND | XTOPT_INVERT},
	XTOPT_TABLEEND,
};

static void dns_name_parse(struct xt_option_call *cb)
{
	struct xt_dns_name_mtinfo *info = cb->data;
	char err[256];

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_DOMAIN:
		info->flags = XT_DNS_NAME | (cb->invert ? XT_DNS_NAME_INV : 0);
		if (dns_name_encode(cb->arg, info->name, sizeof(info->name),
				    err, sizeof(err)) < 0)
			xtables_error(PARAMETER_PROBLEM,
				      "dns_name: bad --domain \"%s\": %s",
				      cb->arg, err);
		break;
	}
}

static void dns_name_fcheck(struct xt_fcheck_call *cb)
{
	const struct xt_dns_name_mtinfo *info = cb->data;
	enum dns_name_err e;

	/* Runs before the XTOPT_MAND check, which reports a missing one. */
	if (!(cb->xflags & (1 << O_DOMAIN)))
		return;
	/* The kernel checks the same; a bug here should not reach it. */
	e = dns_name_check(info->name, sizeof(info->name));
	if (e != DNS_NAME_OK)
		xtables_error(OTHER_PROBLEM, "dns_name: internal error: %s",
			      dns_name_strerror(e));
}

static void dns_name_text(const struct xt_entry_match *match, char *text,
			  size_t len, int *inv)
{
	const struct xt_dns_name_mtinfo *info = (const void *)match->data;

	*inv = !!(info->flags & XT_DNS_NAME_INV);
	dns_name_decode(info->name, sizeof(info->name), text, len);
}

static void dns_name_print(const void *ip, const struct xt_entry_match *match,
			   int numeric)
{
	char text[4 * XT_DNS_NAME_SIZE + 1];
	int inv;

	(void)ip;
	(void)numeric;
	dns_name_text(match, text, sizeof(text), &inv);
	printf(" dns_name domain %s%s", inv ? "! " : "", text);
}

static void dns_name_save(const void *ip, const struct xt_entry_match *match)
{
	char text[4 * XT_DNS_NAME_SIZE + 1];
	int inv;

	(void)ip;
	dns_name_text(match, text, sizeof(text), &inv);
	printf("%s --domain", inv ? " !" : "");
	/* Valid names need no quoting; escaped bytes (test builds) do. */
	if (strchr(text, '\\'))
		xtables_save_string(text);
	else
		printf(" %s", text);
}

static struct xtables_match dns_name_match = {
	.family		= NFPROTO_UNSPEC,
	.name		= "dns_name",
	.revision	= 0,
	.version	= XTABLES_VERSION,
	.size		= XT_ALIGN(sizeof(struct xt_dns_name_mtinfo)),
	.userspacesize	= XT_ALIGN(sizeof(struct xt_dns_name_mtinfo)),
	.help		= dns_name_help,
	.print		= dns_name_print,
	.save		= dns_name_save,
	.x6_parse	= dns_name_parse,
	.x6_fcheck	= dns_name_fcheck,
	.x6_options	= dns_name_opts,
};

/* A constructor, not _init(): that name belongs to crti outside iptables. */
static void __attribute__((constructor)) dns_name_mt_init(void)
{
	xtables_register_match(&dns_name_match);
}
