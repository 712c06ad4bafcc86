// SPDX-License-Identifier: GPL-2.0
/*
 * DNS query parser shared by the xt_dns_name module and host programs.
 * Every packet byte is read through the accessor; all loops are bounded by
 * the message length or by the 255-octet name limit.
 */
#include "dns_parse.h"

/*
 * The accessor's scratch buffers need no zeroing: a kernel built to zero
 * every stack variable would otherwise clear some 300 bytes for each rule
 * a packet meets. (Userspace has no such attribute.)
 */
#ifndef __uninitialized
#define __uninitialized
#endif

DNS_PARSE_API DNS_PARSE_HOT
unsigned char dns_fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

DNS_PARSE_API
int dns_label_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * TODO 6: helpers to read one question (its name label by label: no
 * compression pointers, at most 255 octets; then QTYPE and QCLASS) and to
 * compare its name with the rule's, ignoring ASCII case (dns_fold()).
 */
static DNS_PARSE_HOT int dns_fold_eq(const unsigned char *p,
				     const unsigned char *name,
				     unsigned int n)
{
	/*
	 * From the end: names that differ mostly differ near the top-level
	 * label. Length octets are below 64, so folding leaves them alone.
	 */
	while (n--)
		if (dns_fold(p[n]) != name[n])
			return 0;
	return 1;
}

/* Is the well-formed name of @len octets at @p the rule's? */
static DNS_PARSE_HOT int dns_name_asked(const unsigned char *p,
					unsigned int len,
					const struct dns_rule *rule)
{
	unsigned int start, b;

	if (!rule->suffix)
		return len == rule->name_len && dns_fold_eq(p, rule->name, len);
	if (len < rule->name_len)
		return 0;
	/*
	 * The name ends with the suffix's octets (the cheap test, first)
	 * and the suffix starts on a label: walk the labels before it.
	 */
	start = len - rule->name_len;
	if (!dns_fold_eq(p + start, rule->name, rule->name_len))
		return 0;
	for (b = 0; b < start; b += 1 + p[b])
		;
	return b == start;
}

static DNS_PARSE_HOT int dns_qtype_asked(unsigned int qtype,
					 const struct dns_rule *rule)
{
	unsigned int i;

	if (!rule->qtype_count)
		return 1;
	for (i = 0; i < rule->qtype_count; i++)
		if (rule->qtypes[i] == qtype)
			return 1;
	return 0;
}

/* Results of dns_question(), besides 1 (asked for) and 0 (not). */
#define DNS_Q_MALFORMED	(-1)
#define DNS_Q_CUT	(-2)

/*
 * A question needs @need octets from its start but the window has fewer:
 * malformed if the message has fewer too, cut off if they are missing.
 */
static DNS_PARSE_HOT int dns_q_short(unsigned int need, unsigned int room)
{
	return need <= room ? DNS_Q_CUT : DNS_Q_MALFORMED;
}

/*
 * Parse the question at *@pos of the message (@len bytes at @off, the first
 * @avail of them present) and move *@pos past it. Return 1 if it is well
 * formed and what @rule asks for, 0 if well formed and not, DNS_Q_MALFORMED,
 * or DNS_Q_CUT when it needs missing bytes (so its form is unknown).
 * @last says it is the message's last question: then 0 may also mean not
 * what @rule asks for, form unchecked, *@pos not moved (nothing follows).
 */
static DNS_PARSE_HOT int dns_question(dns_get_t get, const void *ctx,
				      unsigned int off, unsigned int len,
				      unsigned int avail, unsigned int *pos,
				      const struct dns_rule *rule, int last)
{
	/* A name and QTYPE/QCLASS fit: one read per question. */
	unsigned char buf[DNS_NAME_MAX + 4] __uninitialized;
	const unsigned char *p;
	unsigned int want, room, lim, i = 0, n, bad = 0;

	if (*pos >= len)
		return DNS_Q_MALFORMED;
	if (*pos >= avail)
		return DNS_Q_CUT;
	room = len - *pos;
	want = avail - *pos;
	if (want > sizeof(buf))
		want = sizeof(buf);
	p = get(ctx, off + *pos, want, buf);
	if (!p)
		return DNS_Q_MALFORMED;
	/*
	 * The last question of a message that is all there cannot be cut off
	 * and nothing needs its end: its first octets tell an exact-name rule
	 * that it is not the rule's, without a walk over the labels.
	 */
	if (last && avail == len && !rule->suffix &&
	    (want < rule->name_len + 4 ||
	     !dns_fold_eq(p, rule->name, rule->name_len)))
		return 0;
	/*
	 * Walk the labels. A name ends by octet 255 and a full window (259
	 * octets) holds the longest question, so one test per label catches
	 * a name too long and one that leaves the window; a length octet
	 * with either of its top bits set (compression pointer, reserved
	 * label type) is caught on the way out. Every octet read is in the
	 * window: i < lim <= want before each read.
	 */
	lim = want < DNS_NAME_MAX + 1 ? want : DNS_NAME_MAX + 1;
	do {
		n = p[i];
		bad |= n;
		i += 1 + n;
		if (i >= lim) {
			if ((bad & 0xc0) || i > DNS_NAME_MAX)
				return DNS_Q_MALFORMED;
			/* The label, or the next length octet, is missing. */
			if (i > want)
				return dns_q_short(i, room);
			if (n)
				return dns_q_short(i + 1, room);
		}
	} while (n);
	if (bad & 0xc0)
		return DNS_Q_MALFORMED;

	/* QTYPE and QCLASS. */
	if (want - i < 4)
		return dns_q_short(i + 4, room);
	*pos += i + 4;
	return dns_name_asked(p, i, rule) &&
	       dns_qtype_asked(p[i] << 8 | p[i + 1], rule);
}

/* TODO 6 end */

DNS_PARSE_API DNS_PARSE_HOT
enum dns_verdict dns_msg_check(dns_get_t get, const void *ctx,
			       unsigned int off, unsigned int len,
			       unsigned int avail, const struct dns_rule *rule)
{
	unsigned char buf[DNS_HDR_LEN] __uninitialized;
	const unsigned char *h;
	/* TODO 6: (the variables of the questions' loop below) */
	unsigned int qdcount, pos = DNS_HDR_LEN;
	int r;
	/* TODO 6 end */

	if (len < DNS_HDR_LEN)
		return DNS_NOT_QUERY;
	if (avail < DNS_HDR_LEN)
		return DNS_TRUNCATED;
	h = get(ctx, off, DNS_HDR_LEN, buf);
	if (!h)
		return DNS_NOT_QUERY;
	/* TODO 5: a request: QR (0x80) clear and OPCODE (0x78) 0, QUERY */
	/* QR (0x80) clear and OPCODE (0x78) QUERY; other bits are free. */
	if (h[2] & 0xf8)
		return DNS_NOT_QUERY;
	/* TODO 5 end */
	/*
	 * TODO 6: read the QDCOUNT questions in order: DNS_NAME_FOUND at the
	 * first one the rule asks for; stop at the first malformed one.
	 */
	qdcount = h[4] << 8 | h[5];

	/* Each question uses at least 5 octets of the message. */
	while (qdcount--) {
		r = dns_question(get, ctx, off, len, avail, &pos, rule,
				 !qdcount);
		if (r == DNS_Q_CUT)
			return DNS_TRUNCATED;
		if (r < 0)
			break;
		if (r > 0)
			return DNS_NAME_FOUND;
	}
	/* TODO 6 stub: (void)rule; */
	/* TODO 6 stub: (void)dns_fold; */
	/* TODO 6 end */
	return DNS_NAME_ABSENT;
}

DNS_PARSE_API DNS_PARSE_HOT
enum dns_verdict dns_udp_check(dns_get_t get, const void *ctx,
			       unsigned int udp_off, unsigned int pkt_len,
			       unsigned int cap_len,
			       const struct dns_rule *rule)
{
	unsigned char buf[DNS_UDP_HDR_LEN] __uninitialized;
	const unsigned char *u;
	unsigned int len, avail;

	if (udp_off > pkt_len || pkt_len - udp_off < DNS_UDP_HDR_LEN)
		return DNS_NOT_QUERY;
	if (cap_len < udp_off + DNS_UDP_HDR_LEN)
		return DNS_TRUNCATED;
	u = get(ctx, udp_off, DNS_UDP_HDR_LEN, buf);
	if (!u)
		return DNS_NOT_QUERY;
	/* TODO 5: a request goes to port 53 (DNS_PORT) */
	if ((u[2] << 8 | u[3]) != DNS_PORT)
		return DNS_NOT_QUERY;
	/* TODO 5 end */
	/* The UDP length field bounds the message, and so does the packet. */
	len = u[4] << 8 | u[5];
	if (len < DNS_UDP_HDR_LEN)
		return DNS_NOT_QUERY;
	len -= DNS_UDP_HDR_LEN;
	if (len > pkt_len - udp_off - DNS_UDP_HDR_LEN)
		len = pkt_len - udp_off - DNS_UDP_HDR_LEN;
	avail = len;
	if (cap_len < pkt_len && avail > cap_len - udp_off - DNS_UDP_HDR_LEN)
		avail = cap_len - udp_off - DNS_UDP_HDR_LEN;
	return dns_msg_check(get, ctx, udp_off + DNS_UDP_HDR_LEN, len, avail,
			     rule);
}

/* NOT IN THE LAB: DNS over TCP (revision 1) */
DNS_PARSE_API DNS_PARSE_HOT
enum dns_verdict dns_tcp_check(dns_get_t get, const void *ctx,
			       unsigned int tcp_off, unsigned int pkt_len,
			       unsigned int cap_len,
			       const struct dns_rule *rule)
{
	unsigned char buf[DNS_TCP_HDR_MIN] __uninitialized;
	const unsigned char *t;
	unsigned int doff, off, len, avail;

	if (tcp_off > pkt_len || pkt_len - tcp_off < DNS_TCP_HDR_MIN)
		return DNS_NOT_QUERY;
	if (cap_len < tcp_off + DNS_TCP_HDR_MIN)
		return DNS_TRUNCATED;
	t = get(ctx, tcp_off, DNS_TCP_HDR_MIN, buf);
	if (!t)
		return DNS_NOT_QUERY;
	if ((t[2] << 8 | t[3]) != DNS_PORT)
		return DNS_NOT_QUERY;
	doff = (t[12] >> 4) * 4;
	if (doff < DNS_TCP_HDR_MIN || doff > pkt_len - tcp_off)
		return DNS_NOT_QUERY;
	/* No message starts in a segment without the two-byte length. */
	off = tcp_off + doff;
	if (pkt_len - off < 2)
		return DNS_NOT_QUERY;
	if (cap_len < off + 2)
		return DNS_TRUNCATED;
	t = get(ctx, off, 2, buf);
	if (!t)
		return DNS_NOT_QUERY;
	len = t[0] << 8 | t[1];
	off += 2;
	/* What the segment (or the capture) lacks is cut off. */
	avail = len;
	if (avail > pkt_len - off)
		avail = pkt_len - off;
	if (cap_len < pkt_len && avail > cap_len - off)
		avail = cap_len - off;
	return dns_msg_check(get, ctx, off, len, avail, rule);
}

/* NOT IN THE LAB end */
DNS_PARSE_API DNS_PARSE_HOT
int dns_verdict_match(enum dns_verdict v, int invert)
{
	if (v != DNS_NAME_FOUND && v != DNS_NAME_ABSENT)
		return 0;
	return (v == DNS_NAME_FOUND) != !!invert;
}

DNS_PARSE_API
enum dns_name_err dns_name_check(const unsigned char *name, unsigned int size)
{
	unsigned int pos = 0, n, i;

	/* pos grows by at least one per pass and stays below size. */
	while (pos < size && name[pos]) {
		n = name[pos];
		if (n & 0xc0)
			return DNS_NAME_LABEL_TYPE;
		if (n >= size - pos - 1)
			return DNS_NAME_NO_ROOT;
		if (pos + 1 + n + 1 > DNS_NAME_MAX)
			return DNS_NAME_TOO_LONG;
		for (i = 1; i <= n; i++)
			if (!dns_label_char_ok(name[pos + i]))
				return DNS_NAME_BAD_CHAR;
		pos += 1 + n;
	}
	if (pos >= size)
		return DNS_NAME_NO_ROOT;
	if (!pos)
		return DNS_NAME_EMPTY;
	for (i = pos + 1; i < size; i++)
		if (name[i])
			return DNS_NAME_TRAILING;
	return DNS_NAME_OK;
}

DNS_PARSE_API
unsigned int dns_name_wire_len(const unsigned char *name)
{
	unsigned int pos = 0;

	while (name[pos])
		pos += 1 + name[pos];
	return pos + 1;
}

DNS_PARSE_API
const char *dns_name_strerror(enum dns_name_err err)
{
	switch (err) {
	case DNS_NAME_OK:
		return "valid name";
	case DNS_NAME_EMPTY:
		return "empty name (root label only)";
	case DNS_NAME_LABEL_TYPE:
		return "compression pointer or reserved label type in name";
	case DNS_NAME_NO_ROOT:
		return "name does not end with a root label inside the field";
	case DNS_NAME_TOO_LONG:
		return "name longer than 255 octets";
	case DNS_NAME_BAD_CHAR:
		return "name has a character other than a-z, 0-9, '-', '_'";
	case DNS_NAME_TRAILING:
		return "non-zero bytes after the name";
	}
	return "unknown name error";
}
