/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xt_dns_name - match DNS queries by question name.
 * Shared by the kernel module and the iptables plugin; layout is ABI.
 */
#ifndef _XT_DNS_NAME_H
#define _XT_DNS_NAME_H

#include <linux/types.h>

enum {
	XT_DNS_NAME	= 1 << 0,	/* match on the question name */
	XT_DNS_NAME_INV	= 1 << 1,	/* invert the name test */
};

#define XT_DNS_NAME_FLAGS	(XT_DNS_NAME | XT_DNS_NAME_INV)
#define XT_DNS_NAME_SIZE	127

/* Revision 0. */
struct xt_dns_name_mtinfo {
	__u8 flags;
	/*
	 * Name in DNS wire format: length-prefixed lowercase labels ending
	 * with the zero root label; unused bytes are zero.
	 */
	__u8 name[XT_DNS_NAME_SIZE];
};

#endif /* _XT_DNS_NAME_H */
