// SPDX-License-Identifier: GPL-2.0
/*
 * xt_dns_name: match DNS queries by question name.
 *
 * The DNS parsing is in dns_parse.c, shared with the host tools and tests;
 * this file adds the skb access, the rule check and the registration.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>

#include "dns_parse.h"
#include "xt_dns_name.h"

/* Every packet byte goes through here: works on non-linear skbs too. */
static const void *dns_name_skb_get(const void *ctx, unsigned int off,
				    unsigned int len, void *buf)
{
	return skb_header_pointer(ctx, off, len, buf);
}

static bool dns_name_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
	const struct xt_dns_name_mtinfo *info = par->matchinfo;
	enum dns_verdict v;

	/* Later fragments carry no UDP header: never a query. */
	if (par->fragoff != 0)
		return false;
	/* thoff is past IPv4 options or IPv6 extension headers. */
	v = dns_udp_check(dns_name_skb_get, skb, par->thoff, skb->len,
			  info->name, sizeof(info->name));
	return dns_verdict_match(v, info->flags & XT_DNS_NAME_INV);
}

static int dns_name_mt_check(const struct xt_mtchk_param *par)
{
	const struct xt_dns_name_mtinfo *info = par->matchinfo;
	enum dns_name_err err;

	if (info->flags & ~XT_DNS_NAME_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%02x\n", info->flags);
		return -EINVAL;
	}
	if (!(info->flags & XT_DNS_NAME)) {
		pr_info_ratelimited("no name to match (XT_DNS_NAME unset)\n");
		return -EINVAL;
	}
	err = dns_name_check(info->name, sizeof(info->name));
	if (err != DNS_NAME_OK) {
		pr_info_ratelimited("bad name: %s\n", dns_name_strerror(err));
		return -EINVAL;
	}
	return 0;
}

static struct xt_match dns_name_mt_reg[] __read_mostly = {
	{
		.name		= "dns_name",
		.revision	= 0,
		.family		= NFPROTO_IPV4,
		.proto		= IPPROTO_UDP,
		.match		= dns_name_mt,
		.checkentry	= dns_name_mt_check,
		.matchsize	= sizeof(struct xt_dns_name_mtinfo),
		.me		= THIS_MODULE,
	},
	{
		.name		= "dns_name",
		.revision	= 0,
		.family		= NFPROTO_IPV6,
		.proto		= IPPROTO_UDP,
		.match		= dns_name_mt,
		.checkentry	= dns_name_mt_check,
		.matchsize	= sizeof(struct xt_dns_name_mtinfo),
		.me		= THIS_MODULE,
	},
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
MODULE_DESCRIPTION("Xtables: match DNS queries by question name");
MODULE_ALIAS("ipt_dns_name");
MODULE_ALIAS("ip6t_dns_name");
