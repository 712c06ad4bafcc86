// SPDX-License-Identifier: GPL-2.0
/*
 * Link layer -> IPv4/IPv6 -> UDP, then the shared parser: the same steps
 * ip(6)_tables take before calling the match (protocol, fragment offset,
 * transport offset past IPv4 options or IPv6 extension headers).
 */
#include <stddef.h>

#include "dns_parse.h"
#include "packet.h"
#include "xt_dns_name.h"

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW_BSD	12	/* DLT_RAW on most BSDs */
#define LINKTYPE_RAW_OBSD	14	/* DLT_RAW on OpenBSD */
#define LINKTYPE_RAW		101
#define LINKTYPE_LINUX_SLL	113
#define LINKTYPE_LINUX_SLL2	276

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define IPPROTO_UDP_NR	17

struct bounded {		/* the IP datagram, as the kernel's skb */
	const unsigned char *data;
	unsigned int len;
};

static const void *bounded_get(const void *ctx, unsigned int off,
			       unsigned int len, void *buf)
{
	const struct bounded *b = ctx;

	(void)buf;
	if (len > b->len || off > b->len - len)
		return NULL;
	return b->data + off;
}

static unsigned int be16(const unsigned char *p)
{
	return p[0] << 8 | p[1];
}

int packet_linktype_ok(unsigned int linktype)
{
	switch (linktype) {
	case LINKTYPE_ETHERNET:
	case LINKTYPE_RAW_BSD:
	case LINKTYPE_RAW_OBSD:
	case LINKTYPE_RAW:
	case LINKTYPE_LINUX_SLL:
	case LINKTYPE_LINUX_SLL2:
		return 1;
	}
	return 0;
}

/*
 * Find the network header: set *@off and return the ethertype, or 0.
 * Raw IP has no ethertype; the version nibble stands in for it.
 */
static unsigned int link_decode(const unsigned char *f, unsigned int len,
				unsigned int linktype, unsigned int *off)
{
	unsigned int type;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		if (len < 14)
			return 0;
		type = be16(f + 12);
		*off = 14;
		break;
	case LINKTYPE_LINUX_SLL:
		if (len < 16)
			return 0;
		type = be16(f + 14);
		*off = 16;
		break;
	case LINKTYPE_LINUX_SLL2:
		if (len < 20)
			return 0;
		type = be16(f);
		*off = 20;
		break;
	default:	/* raw IP */
		*off = 0;
		if (len < 1)
			return 0;
		return (f[0] >> 4) == 4 ? ETH_P_IP :
		       (f[0] >> 4) == 6 ? ETH_P_IPV6 : 0;
	}
	/* 802.1Q / 802.1ad tags: the kernel sees the frame untagged. */
	while ((type == 0x8100 || type == 0x88a8) && len - *off >= 4) {
		type = be16(f + *off + 2);
		*off += 4;
	}
	return type;
}

/* IPv4: UDP offset after options, or 0 if not UDP / not a first fragment. */
static unsigned int ipv4_udp(const unsigned char *ip, unsigned int *len)
{
	unsigned int ihl, tot;

	if (*len < 20 || ip[0] >> 4 != 4)
		return 0;
	ihl = (ip[0] & 0x0f) * 4;
	tot = be16(ip + 2);
	if (ihl < 20 || tot < ihl || ihl > *len)
		return 0;
	if (tot < *len)		/* link padding is not part of the skb */
		*len = tot;
	if (ip[9] != IPPROTO_UDP_NR || (be16(ip + 6) & 0x1fff))
		return 0;
	return ihl;
}

/* IPv6: walk extension headers as ipv6_find_hdr() does. */
static unsigned int ipv6_udp(const unsigned char *ip, unsigned int *len)
{
	unsigned int next, off = 40, hlen;

	if (*len < 40 || ip[0] >> 4 != 6)
		return 0;
	if (be16(ip + 4) && 40 + be16(ip + 4) < *len)
		*len = 40 + be16(ip + 4);
	next = ip[6];
	/* Each header is at least 8 bytes: bounded by the packet length. */
	for (;;) {
		if (next == IPPROTO_UDP_NR)
			return off;
		if (next != 0 && next != 43 && next != 44 && next != 51 &&
		    next != 60)
			return 0;	/* other protocol, ESP or no-next */
		if (*len - off < 8)
			return 0;
		if (next == 44) {	/* fragment: later pieces never match */
			if (be16(ip + off + 2) & 0xfff8)
				return 0;
			hlen = 8;
		} else if (next == 51) {
			hlen = (ip[off + 1] + 2) * 4;
		} else {
			hlen = (ip[off + 1] + 1) * 8;
		}
		if (hlen > *len - off)
			return 0;
		next = ip[off];
		off += hlen;
	}
}

int packet_match(const unsigned char *frame, unsigned int caplen,
		 unsigned int linktype, const unsigned char *name, int invert)
{
	struct bounded ip;
	unsigned int off = 0, type, udp;

	type = link_decode(frame, caplen, linktype, &off);
	ip.data = frame + off;
	ip.len = caplen - off;
	if (type == ETH_P_IP)
		udp = ipv4_udp(ip.data, &ip.len);
	else if (type == ETH_P_IPV6)
		udp = ipv6_udp(ip.data, &ip.len);
	else
		return 0;
	if (!udp)
		return 0;
	return dns_verdict_match(dns_udp_check(bounded_get, &ip, udp, ip.len,
					       name, XT_DNS_NAME_SIZE), invert);
}
