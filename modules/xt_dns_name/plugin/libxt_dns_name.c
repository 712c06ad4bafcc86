// SPDX-License-Identifier: GPL-2.0
/*
 * iptables match "dns_name": DNS queries by question name (--domain, over
 * UDP, names up to 127 octets).
 */
/* NOT IN THE LAB: ip6tables, revision 1, the test build */
/*
 * Also for ip6tables. Revision 1 adds --domain-suffix, --qtype, names up to
 * 255 octets and DNS over TCP; iptables uses the newest revision the kernel
 * has. (tests/libxt_dns_name_unchecked.c builds a test variant from this
 * file.)
 */
/* NOT IN THE LAB end */
#include <stdio.h>
#include <string.h>
#include <xtables.h>

#include "dns_name_text.h"
#include "dns_parse.h"
#include "xt_dns_name.h"

enum {
	O_DOMAIN = 0,
	/* NOT IN THE LAB: revision 1 */
	O_DOMAIN_SUFFIX,
	O_QTYPE,
	/* NOT IN THE LAB end */
};

/* Room for a decoded name (bytes outside the rule set print as \DDD). */
/* NOT IN THE LAB: revision 1 */
#define DNS_NAME_TEXT_MAX	(4 * XT_DNS_NAME1_SIZE + 1)
/* Room for a --qtype list: 16 numbers of 5 digits and commas. */
#define DNS_QTYPE_TEXT_MAX	(6 * XT_DNS_QTYPE_MAX + 1)
/* NOT IN THE LAB end */
/* LAB ONLY: #define DNS_NAME_TEXT_MAX	(4 * XT_DNS_NAME_SIZE + 1) */

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

/* NOT IN THE LAB: revision 1 */
static void dns_name_help1(void)
{
	printf(
"dns_name match options (revision 1):\n"
"[!] --domain name   Match DNS queries with a question for exactly this\n"
"                    name (ASCII case ignored; subdomains do not match),\n"
"[!] --domain-suffix name\n"
"                    or for this name or any name below it, on label\n"
"                    boundaries (www.example.com and example.com match\n"
"                    example.com, notexample.com does not). One of them.\n"
"    --qtype type[,type...]\n"
"                    Only questions of these QTYPEs (at most %d): A AAAA\n"
"                    MX TXT NS CNAME SOA PTR SRV HTTPS, ANY (QTYPE 255\n"
"                    itself), or numbers.\n"
"A query is UDP or TCP to port 53 (the match checks the protocol: -p is\n"
"optional), not a later fragment, with a complete header, QR=0, OPCODE=0.\n"
"Over TCP one segment must hold the 2-byte length, the header and the\n"
"questions (no reassembly: a shorter segment never matches). Questions are\n"
"read in order up to QDCOUNT and up to the first malformed one (compression\n"
"pointers are malformed). Anything that is not a query never matches; !\n"
"inverts the whole match, so queries without such a question match,\n"
"malformed ones included. Names: up to 255 octets in wire format.\n",
	       XT_DNS_QTYPE_MAX);
}

/* NOT IN THE LAB end */

static const struct xt_option_entry dns_name_opts[] = {
	{.name = "domain", .id = O_DOMAIN, .type = XTTYPE_STRING,
	 .flags = XTOPT_MAND | XTOPT_INVERT},
	XTOPT_TABLEEND,
};

/* NOT IN THE LAB: revision 1 */
static const struct xt_option_entry dns_name_opts1[] = {
	{.name = "domain", .id = O_DOMAIN, .type = XTTYPE_STRING,
	 .flags = XTOPT_INVERT, .excl = 1 << O_DOMAIN_SUFFIX},
	{.name = "domain-suffix", .id = O_DOMAIN_SUFFIX, .type = XTTYPE_STRING,
	 .flags = XTOPT_INVERT, .excl = 1 << O_DOMAIN},
	{.name = "qtype", .id = O_QTYPE, .type = XTTYPE_STRING},
	XTOPT_TABLEEND,
};

/* NOT IN THE LAB end */

/* Encode @cb's name into @name (@size bytes); return its wire length. */
static int dns_name_parse_name(struct xt_option_call *cb, __u8 *name,
			       size_t size)
{
	char err[256];
	int len;

	len = dns_name_encode(cb->arg, name, size, err, sizeof(err));
	if (len < 0)
		xtables_error(PARAMETER_PROBLEM, "dns_name: bad --%s \"%s\": %s",
			      cb->entry->name, cb->arg, err);
	return len;
}

static void dns_name_parse(struct xt_option_call *cb)
{
	struct xt_dns_name_mtinfo *info = cb->data;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_DOMAIN:
		/*
		 * TODO 1: fill the rule from --domain NAME (cb->arg, "!" in
		 * cb->invert): info->flags (XT_DNS_NAME, XT_DNS_NAME_INV) and
		 * info->name, NAME in DNS wire format, lowercase
		 * (dns_name_parse_name() encodes it, or refuses a bad NAME).
		 */
		info->flags = XT_DNS_NAME | (cb->invert ? XT_DNS_NAME_INV : 0);
		dns_name_parse_name(cb, info->name, sizeof(info->name));
		/* TODO 1 stub: (void)info; */
		/* TODO 1 stub: (void)dns_name_parse_name; */
		/* TODO 1 end */
		break;
	}
}

/* NOT IN THE LAB: revision 1 */
static void dns_name_parse1(struct xt_option_call *cb)
{
	struct xt_dns_name_mtinfo1 *info = cb->data;
	unsigned short qtypes[XT_DNS_QTYPE_MAX];
	char err[256];
	int n, i;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_DOMAIN:
	case O_DOMAIN_SUFFIX:
		info->flags = cb->entry->id == O_DOMAIN ?
			      XT_DNS_NAME : XT_DNS_NAME_SUFFIX;
		if (cb->invert)
			info->flags |= XT_DNS_NAME_INV;
		info->name_len = dns_name_parse_name(cb, info->name,
						     sizeof(info->name));
		break;
	case O_QTYPE:
		n = dns_qtype_list_parse(cb->arg, qtypes, XT_DNS_QTYPE_MAX,
					 err, sizeof(err));
		if (n < 0)
			xtables_error(PARAMETER_PROBLEM,
				      "dns_name: bad --qtype \"%s\": %s",
				      cb->arg, err);
		memset(info->qtypes, 0, sizeof(info->qtypes));
		for (i = 0; i < n; i++)
			info->qtypes[i] = qtypes[i];
		info->qtype_count = n;
		break;
	}
}

/* NOT IN THE LAB end */

/* The kernel checks the same; a bug here should not reach it. */
static void dns_name_check_name(const __u8 *name, size_t size)
{
	enum dns_name_err e = dns_name_check(name, size);

	if (e != DNS_NAME_OK)
		xtables_error(OTHER_PROBLEM, "dns_name: internal error: %s",
			      dns_name_strerror(e));
}

static void dns_name_fcheck(struct xt_fcheck_call *cb)
{
	const struct xt_dns_name_mtinfo *info = cb->data;

	/* Runs before the XTOPT_MAND check, which reports a missing one. */
	if (cb->xflags & (1 << O_DOMAIN))
		dns_name_check_name(info->name, sizeof(info->name));
}

/* NOT IN THE LAB: revision 1 */
static void dns_name_fcheck1(struct xt_fcheck_call *cb)
{
	const struct xt_dns_name_mtinfo1 *info = cb->data;

	if (!(cb->xflags & (1 << O_DOMAIN | 1 << O_DOMAIN_SUFFIX)))
		xtables_error(PARAMETER_PROBLEM,
			      "dns_name: --domain or --domain-suffix is "
			      "required");
	dns_name_check_name(info->name, sizeof(info->name));
}

/* NOT IN THE LAB end */

/* " domain NAME" for -L; with @save, " --domain NAME" for iptables-save. */
static void dns_name_put(__u8 flags, const __u8 *name, size_t size, int save)
{
	char text[DNS_NAME_TEXT_MAX];
	int inv = !!(flags & XT_DNS_NAME_INV);
	/* NOT IN THE LAB: revision 1 */
	const char *opt = flags & XT_DNS_NAME_SUFFIX ?
			  "domain-suffix" : "domain";
	/* NOT IN THE LAB end */
	/* LAB ONLY: const char *opt = "domain"; */

	dns_name_decode(name, size, text, sizeof(text));
	if (save)
		printf("%s --%s", inv ? " !" : "", opt);
	else
		printf(" %s%s", opt, inv ? " !" : "");
	/* Valid names need no quoting; escaped bytes (test builds) do. */
	if (save && strchr(text, '\\'))
		xtables_save_string(text);
	else
		printf(" %s", text);
}

static void dns_name_print(const void *ip, const struct xt_entry_match *match,
			   int numeric)
{
	/*
	 * TODO 2: print the rule's criteria for iptables -L, e.g.
	 * " dns_name domain ! example.com" (dns_name_put() can).
	 */
	const struct xt_dns_name_mtinfo *info = (const void *)match->data;

	printf(" dns_name");
	dns_name_put(info->flags, info->name, sizeof(info->name), 0);
	/* TODO 2 stub: (void)match; */
	/* TODO 2 end */
	(void)ip;
	(void)numeric;
}

static void dns_name_save(const void *ip, const struct xt_entry_match *match)
{
	/*
	 * TODO 3: print the rule's options for iptables-save, as they are
	 * typed: " --domain example.com", " ! --domain example.com".
	 */
	const struct xt_dns_name_mtinfo *info = (const void *)match->data;

	dns_name_put(info->flags, info->name, sizeof(info->name), 1);
	/* TODO 3 stub: (void)match; */
	/* TODO 3 stub: (void)dns_name_put; */
	/* TODO 3 end */
	(void)ip;
}

/* NOT IN THE LAB: revision 1 */
static void dns_name_put1(const struct xt_dns_name_mtinfo1 *info, int save)
{
	char types[DNS_QTYPE_TEXT_MAX];
	unsigned int n = info->qtype_count;

	dns_name_put(info->flags, info->name, sizeof(info->name), save);
	if (!n)
		return;
	/* A test build may hand over more than the list holds. */
	if (n > XT_DNS_QTYPE_MAX)
		n = XT_DNS_QTYPE_MAX;
	dns_qtype_list_format(info->qtypes, n, types, sizeof(types));
	printf(" %s %s", save ? "--qtype" : "qtype", types);
}

/*
 * Some iptables versions hand a rule of an older revision to the newest
 * revision's print and save: give revision 0 data to revision 0.
 */
static int dns_name_is_rev0(const struct xt_entry_match *match)
{
	return match->u.user.revision == 0 ||
	       match->u.match_size < XT_ALIGN(sizeof(*match)) +
				     XT_ALIGN(sizeof(struct xt_dns_name_mtinfo1));
}

static void dns_name_print1(const void *ip, const struct xt_entry_match *match,
			    int numeric)
{
	if (dns_name_is_rev0(match)) {
		dns_name_print(ip, match, numeric);
		return;
	}
	printf(" dns_name");
	dns_name_put1((const void *)match->data, 0);
}

static void dns_name_save1(const void *ip, const struct xt_entry_match *match)
{
	if (dns_name_is_rev0(match)) {
		dns_name_save(ip, match);
		return;
	}
	dns_name_put1((const void *)match->data, 1);
}

/* NOT IN THE LAB end */

static struct xtables_match dns_name_mt_reg[] = {
	{
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
	},
	/* NOT IN THE LAB: revision 1 */
	{
		.family		= NFPROTO_UNSPEC,
		.name		= "dns_name",
		.revision	= 1,
		.version	= XTABLES_VERSION,
		.size		= XT_ALIGN(sizeof(struct xt_dns_name_mtinfo1)),
		.userspacesize	= XT_ALIGN(sizeof(struct xt_dns_name_mtinfo1)),
		.help		= dns_name_help1,
		.print		= dns_name_print1,
		.save		= dns_name_save1,
		.x6_parse	= dns_name_parse1,
		.x6_fcheck	= dns_name_fcheck1,
		.x6_options	= dns_name_opts1,
	},
	/* NOT IN THE LAB end */
};

/* A constructor, not _init(): that name belongs to crti outside iptables. */
static void __attribute__((constructor)) dns_name_mt_init(void)
{
	xtables_register_matches(dns_name_mt_reg,
				 sizeof(dns_name_mt_reg) /
				 sizeof(dns_name_mt_reg[0]));
}
