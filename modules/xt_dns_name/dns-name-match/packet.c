// SPDX-License-Identifier: GPL-2.0
/*
 * Link layer -> IPv4/IPv6 -> UDP or TCP, then the shared parser: the same
 * steps the match takes (protocol, fragment offset, transport offset past
 * IPv4 options or IPv6 extension headers).
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
#define IPPROTO_TCP_NR	6
#define IPPROTO_UDP_NR	17

/* The IP datagram, as the kernel's skb would hold it, and what was captured. */
struct bounded {
	const unsigned char *data;
	unsigned int len;	/* its length */
	unsigned int cap;	/* bytes of it in the capture (<= len) */
};

static const void *bounded_get(const void *ctx, unsigned int off,
			       unsigned int len, void *buf)
{
	const struct bounded *b = ctx;

	(void)buf;
	if (len > b->cap || off > b->cap - len)
		return NULL;
	return b->data + off;
}

/* Bytes up to @end: PKT_OK present, PKT_CUT not captured, PKT_SHORT none. */
enum { PKT_OK, PKT_CUT, PKT_SHORT };
static int need(const struct bounded *b, unsigned int end)
{
	return end <= b->cap ? PKT_OK : end <= b->len ? PKT_CUT : PKT_SHORT;
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
 * Find the network header: set *@off and return the ethertype, 0 if the
 * frame is not IP, or -1 if the capture cut the link header.
 */
static int link_decode(const unsigned char *f, unsigned int len,
		       unsigned int origlen, unsigned int linktype,
		       unsigned int *off)
{
	unsigned int type, hlen;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		hlen = 14;
		break;
	case LINKTYPE_LINUX_SLL:
		hlen = 16;
		break;
	case LINKTYPE_LINUX_SLL2:
		hlen = 20;
		break;
	default:	/* raw IP: the version nibble stands in for the type */
		*off = 0;
		if (len < 1)
			return origlen < 1 ? 0 : -1;
		return (f[0] >> 4) == 4 ? ETH_P_IP :
		       (f[0] >> 4) == 6 ? ETH_P_IPV6 : 0;
	}
	if (len < hlen)
		return origlen < hlen ? 0 : -1;
	type = be16(f + (linktype == LINKTYPE_LINUX_SLL2 ? 0 :
			 linktype == LINKTYPE_LINUX_SLL ? 14 : 12));
	*off = hlen;
	/* 802.1Q / 802.1ad tags: the kernel sees the frame untagged. */
	while (type == 0x8100 || type == 0x88a8) {
		if (len - *off < 4)
			return origlen - *off < 4 ? 0 : -1;
		type = be16(f + *off + 2);
		*off += 4;
	}
	return (int)type;
}

/* Trim the datagram to the length its header gives (link padding). */
static void bound_to(struct bounded *ip, unsigned int len)
{
	if (len < ip->len)
		ip->len = len;
	if (ip->cap > ip->len)
		ip->cap = ip->len;
}

/*
 * IPv4: return the transport protocol and set *@thoff past the options;
 * -1 if not a first fragment or not IPv4, -2 if the capture cut the header.
 */
static int ipv4_transport(struct bounded *ip, unsigned int *thoff)
{
	const unsigned char *h = ip->data;
	unsigned int ihl, tot;

	if (need(ip, 20) != PKT_OK)
		return need(ip, 20) == PKT_CUT ? -2 : -1;
	if (h[0] >> 4 != 4)
		return -1;
	ihl = (h[0] & 0x0f) * 4;
	tot = be16(h + 2);
	if (ihl < 20 || tot < ihl)
		return -1;
	bound_to(ip, tot);
	if (ihl > ip->len || (be16(h + 6) & 0x1fff))
		return -1;
	*thoff = ihl;
	return h[9];
}

/*
 * IPv6: walk the extension headers as ipv6_find_hdr() does (any target);
 * the same results as ipv4_transport().
 */
static int ipv6_transport(struct bounded *ip, unsigned int *thoff)
{
	const unsigned char *h = ip->data;
	unsigned int next, off = 40, hlen;
	int r;

	if (need(ip, 40) != PKT_OK)
		return need(ip, 40) == PKT_CUT ? -2 : -1;
	if (h[0] >> 4 != 6)
		return -1;
	if (be16(h + 4))
		bound_to(ip, 40 + be16(h + 4));
	next = h[6];
	/* Each header is at least 8 bytes: bounded by the packet length. */
	for (;;) {
		if (next != 0 && next != 43 && next != 44 && next != 51 &&
		    next != 60) {
			*thoff = off;
			return next == 59 ? -1 : (int)next;	/* 59: none */
		}
		r = need(ip, off + 8);
		if (r != PKT_OK)
			return r == PKT_CUT ? -2 : -1;
		if (next == 44) {	/* fragment: later pieces never match */
			if (be16(h + off + 2) & 0xfff8)
				return -1;
			hlen = 8;
		} else if (next == 51) {
			hlen = (h[off + 1] + 2) * 4;
		} else {
			hlen = (h[off + 1] + 1) * 8;
		}
		if (hlen > ip->len - off)
			return -1;
		next = h[off];
		off += hlen;
	}
}

enum dns_verdict packet_verdict(const unsigned char *frame, unsigned int caplen,
				unsigned int origlen, unsigned int linktype,
				const struct dns_rule *rule)
{
	struct bounded ip;
	unsigned int off = 0, thoff = 0;
	int type, proto;

	type = link_decode(frame, caplen, origlen, linktype, &off);
	if (type < 0)
		return DNS_TRUNCATED;
	ip.data = frame + off;
	ip.len = origlen - off;
	ip.cap = caplen - off;
	if (type == ETH_P_IP)
		proto = ipv4_transport(&ip, &thoff);
	else if (type == ETH_P_IPV6)
		proto = ipv6_transport(&ip, &thoff);
	else
		return DNS_NOT_QUERY;
	if (proto == -2)
		return DNS_TRUNCATED;
	if (proto == IPPROTO_UDP_NR)
		return dns_udp_check(bounded_get, &ip, thoff, ip.len, ip.cap,
				     rule);
	if (proto == IPPROTO_TCP_NR)
		return dns_tcp_check(bounded_get, &ip, thoff, ip.len, ip.cap,
				     rule);
	return DNS_NOT_QUERY;
}
