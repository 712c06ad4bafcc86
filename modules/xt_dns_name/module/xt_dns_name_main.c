// SPDX-License-Identifier: GPL-2.0
/*
 * xt_dns_name: match DNS queries by question name.
 *
 * The DNS parsing is in dns_parse.c, shared with the host tools and tests
 * and compiled into this file; this file adds the transport lookup, the skb
 * access, the rule checks and the registration.
 */
/* NOT IN THE LAB: revision 1 */
/* Revision 1 also matches by name suffix and QTYPE, over UDP and TCP. */
/* NOT IN THE LAB end */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>
/* NOT IN THE LAB: IPv6 */
#include <net/ipv6.h>
/* NOT IN THE LAB end */

/* The parser, as static functions of this file (see dns_parse.h). */
#define DNS_PARSE_API static
#define DNS_PARSE_HOT __always_inline
#include "dns_parse.c"
#include "xt_dns_name.h"

/* Every packet byte goes through here: works on non-linear skbs too. */
static __always_inline const void *dns_name_skb_get(const void *ctx,
						    unsigned int off,
						    unsigned int len,
						    void *buf)
{
	return skb_header_pointer(ctx, off, len, buf);
}

/*
 * TODO 5: be sure the packet can be a DNS request: the rule has no -p udp,
 * so check the IP protocol yourself (UDP), and that it is not a later
 * fragment (par->fragoff); the UDP header is at par->thoff. The rest is in
 * dns_parse.c.
 */
/*
 * Find the transport header of @skb: return its protocol and set *@thoff,
 * or return -1 for a packet that cannot carry a query (a later fragment,
 * a malformed header chain). The rule may have no -p, so the match cannot
 * rely on x_tables having checked the protocol.
 */
static __always_inline int dns_name_transport(const struct sk_buff *skb,
					      const struct xt_action_param *par,
					      unsigned int *thoff)
{
	u8 _proto;
	const u8 *proto;
	/* NOT IN THE LAB: IPv6 */
	unsigned short fragoff;
	int nexthdr;
	/* NOT IN THE LAB end */

	switch (xt_family(par)) {
	case NFPROTO_IPV4:
		/* ip_tables and nft set thoff and fragoff for every rule. */
		if (par->fragoff)
			return -1;
		proto = skb_header_pointer(skb, skb_network_offset(skb) +
					   offsetof(struct iphdr, protocol),
					   sizeof(_proto), &_proto);
		if (!proto)
			return -1;
		*thoff = par->thoff;
		return *proto;
	/* NOT IN THE LAB: IPv6 */
	case NFPROTO_IPV6:
		/*
		 * ip6_tables computes thoff and fragoff only for rules with
		 * -p, so walk the extension headers here, as it would.
		 */
		*thoff = 0;
		nexthdr = ipv6_find_hdr(skb, thoff, -1, &fragoff, NULL);
		if (nexthdr < 0 || fragoff)
			return -1;
		return nexthdr;
	/* NOT IN THE LAB end */
	}
	return -1;
}

/* TODO 5 end */

static bool dns_name_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
	const struct xt_dns_name_mtinfo *info = par->matchinfo;
	struct dns_rule rule = { .name = info->name };
	unsigned int thoff = par->thoff;
	enum dns_verdict v;

	/* TODO 5: ... UDP only, never a later fragment */
	/* Revision 0 reads queries over UDP only. */
	if (dns_name_transport(skb, par, &thoff) != IPPROTO_UDP)
		return false;
	/* TODO 5 end */
	/* Its layout has no length: worked out for UDP packets only. */
	rule.name_len = dns_name_wire_len(info->name);
	v = dns_udp_check(dns_name_skb_get, skb, thoff, skb->len, skb->len,
			  &rule);
	return dns_verdict_match(v, info->flags & XT_DNS_NAME_INV);
}

/* NOT IN THE LAB: revision 1 */
/* Revision 1: UDP and TCP, suffixes, QTYPEs. */
static bool dns_name_mt1(const struct sk_buff *skb,
			 struct xt_action_param *par)
{
	const struct xt_dns_name_mtinfo1 *info = par->matchinfo;
	struct dns_rule rule = {
		.name = info->name,
		.name_len = info->name_len,
		.suffix = info->flags & XT_DNS_NAME_SUFFIX,
		.qtypes = info->qtypes,
		.qtype_count = info->qtype_count,
	};
	unsigned int thoff;
	enum dns_verdict v;

	switch (dns_name_transport(skb, par, &thoff)) {
	case IPPROTO_UDP:
		v = dns_udp_check(dns_name_skb_get, skb, thoff, skb->len,
				  skb->len, &rule);
		break;
	case IPPROTO_TCP:
		v = dns_tcp_check(dns_name_skb_get, skb, thoff, skb->len,
				  skb->len, &rule);
		break;
	default:
		return false;
	}
	return dns_verdict_match(v, info->flags & XT_DNS_NAME_INV);
}

/* NOT IN THE LAB end */
/* TODO 4: (a helper for the checks below) */
static int dns_name_name_check(const u8 *name, unsigned int size)
{
	enum dns_name_err err = dns_name_check(name, size);

	if (err != DNS_NAME_OK) {
		pr_info_ratelimited("bad name: %s\n", dns_name_strerror(err));
		return -EINVAL;
	}
	return 0;
}

/* TODO 4 end */
static int dns_name_mt_check(const struct xt_mtchk_param *par)
{
	/*
	 * TODO 4: never trust userspace: refuse a rule with unknown flags,
	 * without XT_DNS_NAME, or whose name field is not a valid name
	 * (dns_name_check()), with -EINVAL and a line in the kernel log.
	 */
	const struct xt_dns_name_mtinfo *info = par->matchinfo;

	if (info->flags & ~XT_DNS_NAME_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%02x\n", info->flags);
		return -EINVAL;
	}
	if (!(info->flags & XT_DNS_NAME)) {
		pr_info_ratelimited("no name to match (XT_DNS_NAME unset)\n");
		return -EINVAL;
	}
	return dns_name_name_check(info->name, sizeof(info->name));
	/* TODO 4 stub: (void)dns_name_check; */
	/* TODO 4 stub: (void)dns_name_strerror; */
	/* TODO 4 stub: return 0; */
	/* TODO 4 end */
}

/* NOT IN THE LAB: revision 1 */
static int dns_name_mt_check1(const struct xt_mtchk_param *par)
{
	const struct xt_dns_name_mtinfo1 *info = par->matchinfo;
	unsigned int i;

	if (info->flags & ~XT_DNS_NAME1_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%02x\n", info->flags);
		return -EINVAL;
	}
	if (!(info->flags & XT_DNS_NAME) == !(info->flags & XT_DNS_NAME_SUFFIX)) {
		pr_info_ratelimited("need exactly one of XT_DNS_NAME and XT_DNS_NAME_SUFFIX\n");
		return -EINVAL;
	}
	if (dns_name_name_check(info->name, sizeof(info->name)))
		return -EINVAL;
	if (info->name_len != dns_name_wire_len(info->name)) {
		pr_info_ratelimited("name_len %u, but the name has %u octets\n",
				    info->name_len,
				    dns_name_wire_len(info->name));
		return -EINVAL;
	}
	if (info->qtype_count > XT_DNS_QTYPE_MAX) {
		pr_info_ratelimited("qtype_count %u, at most %u\n",
				    info->qtype_count, XT_DNS_QTYPE_MAX);
		return -EINVAL;
	}
	/* Zero is no QTYPE; unused entries stay zero so rules compare. */
	for (i = 0; i < XT_DNS_QTYPE_MAX; i++) {
		bool used = i < info->qtype_count;

		if (used != !!info->qtypes[i]) {
			pr_info_ratelimited("qtypes[%u] is %u with qtype_count %u\n",
					    i, info->qtypes[i],
					    info->qtype_count);
			return -EINVAL;
		}
	}
	return 0;
}

/* NOT IN THE LAB end */
static struct xt_match dns_name_mt_reg[] __read_mostly = {
	{
		.name		= "dns_name",
		.revision	= 0,
		.family		= NFPROTO_IPV4,
		/* LAB ONLY: .hooks		= 1 << NF_INET_LOCAL_OUT, */
		.match		= dns_name_mt,
		.checkentry	= dns_name_mt_check,
		.matchsize	= sizeof(struct xt_dns_name_mtinfo),
		.me		= THIS_MODULE,
	},
	/* NOT IN THE LAB: IPv6 and revision 1 */
	{
		.name		= "dns_name",
		.revision	= 0,
		.family		= NFPROTO_IPV6,
		.match		= dns_name_mt,
		.checkentry	= dns_name_mt_check,
		.matchsize	= sizeof(struct xt_dns_name_mtinfo),
		.me		= THIS_MODULE,
	},
	{
		.name		= "dns_name",
		.revision	= 1,
		.family		= NFPROTO_IPV4,
		.match		= dns_name_mt1,
		.checkentry	= dns_name_mt_check1,
		.matchsize	= sizeof(struct xt_dns_name_mtinfo1),
		.me		= THIS_MODULE,
	},
	{
		.name		= "dns_name",
		.revision	= 1,
		.family		= NFPROTO_IPV6,
		.match		= dns_name_mt1,
		.checkentry	= dns_name_mt_check1,
		.matchsize	= sizeof(struct xt_dns_name_mtinfo1),
		.me		= THIS_MODULE,
	},
	/* NOT IN THE LAB end */
};

static int __init dns_name_mt_init(void)
{
	return xt_register_matches(dns_name_mt_reg,
				   ARRAY_SIZE(dns_name_mt_reg));
}

static void __exit dns_name_mt_exit(void)
{
	xt_unregister_matches(dns_name_mt_reg, ARRAY_SIZE(dns_name_mt_reg));
}

module_init(dns_name_mt_init);
module_exit(dns_name_mt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: match DNS queries by question name and type");
MODULE_ALIAS("ipt_dns_name");
/* NOT IN THE LAB: IPv6 */
MODULE_ALIAS("ip6t_dns_name");
/* NOT IN THE LAB end */
