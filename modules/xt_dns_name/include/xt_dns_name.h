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
	/* NOT IN THE LAB: revision 1 */
	XT_DNS_NAME_SUFFIX = 1 << 2,	/* rev 1: the name or a name below it */
	/* NOT IN THE LAB end */
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

/* NOT IN THE LAB: revision 1 */
#define XT_DNS_NAME1_FLAGS	(XT_DNS_NAME_FLAGS | XT_DNS_NAME_SUFFIX)
#define XT_DNS_NAME1_SIZE	255
#define XT_DNS_QTYPE_MAX	16

/*
 * Revision 1: names up to the DNS limit, suffixes, QTYPEs, DNS over TCP.
 * Exactly one of XT_DNS_NAME and XT_DNS_NAME_SUFFIX; XT_DNS_NAME_INV
 * inverts the whole match. Unused bytes and entries are zero.
 */
struct xt_dns_name_mtinfo1 {
	__u16 qtypes[XT_DNS_QTYPE_MAX];	/* QTYPEs, host order; none: any */
	__u8 flags;
	__u8 qtype_count;		/* entries of qtypes in use */
	__u8 name_len;			/* wire length of name, root included */
	__u8 name[XT_DNS_NAME1_SIZE];	/* wire format, as in revision 0 */
};

/* NOT IN THE LAB end */

#endif /* _XT_DNS_NAME_H */
