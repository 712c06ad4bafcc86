/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS query parser, shared by the xt_dns_name kernel module and the host
 * programs. It depends on neither the kernel nor libc: packet bytes are read
 * through an accessor with skb_header_pointer() semantics.
 */
#ifndef _DNS_PARSE_H
#define _DNS_PARSE_H

/*
 * How the functions below are declared. The kernel module compiles this
 * parser into its own file as static functions, so that the compiler sees
 * the one accessor it passes and calls skb_header_pointer() directly: an
 * indirect call per packet byte range is a cost every rule pays.
 */
#ifndef DNS_PARSE_API
#define DNS_PARSE_API
#endif

/*
 * How the functions on the packet path are defined: the module inlines them
 * into its match function, so that a rule costs one call frame (and one
 * stack canary) per packet, not five.
 */
#ifndef DNS_PARSE_HOT
#define DNS_PARSE_HOT
#endif

#define DNS_PORT		53
#define DNS_UDP_HDR_LEN		8
#define DNS_TCP_HDR_MIN		20
#define DNS_HDR_LEN		12
#define DNS_LABEL_MAX		63
#define DNS_NAME_MAX		255

/*
 * Return a pointer to the @len bytes at offset @off of @ctx, either in place
 * or copied into @buf (room for @len bytes), or NULL if they are not all
 * there.
 */
typedef const void *(*dns_get_t)(const void *ctx, unsigned int off,
				 unsigned int len, void *buf);

/*
 * What a rule asks for: a question for the name (or with @suffix, for the
 * name or a name below it) whose QTYPE is one of @qtypes (or any, with no
 * @qtypes). The name is valid per dns_name_check().
 */
struct dns_rule {
	const unsigned char *name;	/* lowercase wire format */
	unsigned int name_len;		/* its length, root label included */
	unsigned int suffix;
	const unsigned short *qtypes;	/* host order */
	unsigned int qtype_count;
};

/*
 * Only the last two ever match. DNS_TRUNCATED: a query cut off before its
 * questions could be decided (a TCP segment or a capture that ends early).
 */
enum dns_verdict {
	DNS_NOT_QUERY,		/* not a DNS query */
	DNS_TRUNCATED,		/* a query, its questions cut off */
	DNS_NAME_ABSENT,	/* a query, no question is what the rule asks */
	DNS_NAME_FOUND,		/* a query, a well-formed question is */
};

enum dns_name_err {
	DNS_NAME_OK,
	DNS_NAME_EMPTY,
	DNS_NAME_LABEL_TYPE,
	DNS_NAME_NO_ROOT,
	DNS_NAME_TOO_LONG,
	DNS_NAME_BAD_CHAR,
	DNS_NAME_TRAILING,
};

/*
 * Classify the UDP datagram whose header is at @udp_off of a packet of
 * @pkt_len bytes (skb->len) of which the first @cap_len are present (the
 * kernel has them all; a capture may have fewer): a query to port 53 is
 * searched for a question @rule asks for. The message ends where the UDP
 * length or the packet does. The caller has excluded later fragments.
 */
DNS_PARSE_API
enum dns_verdict dns_udp_check(dns_get_t get, const void *ctx,
			       unsigned int udp_off, unsigned int pkt_len,
			       unsigned int cap_len,
			       const struct dns_rule *rule);

/* NOT IN THE LAB: DNS over TCP (revision 1) */
/*
 * The same for a TCP segment to port 53 whose payload starts with a DNS
 * message's two-byte length. There is no reassembly: a message whose header
 * and questions are not all in the segment is DNS_TRUNCATED.
 */
DNS_PARSE_API
enum dns_verdict dns_tcp_check(dns_get_t get, const void *ctx,
			       unsigned int tcp_off, unsigned int pkt_len,
			       unsigned int cap_len,
			       const struct dns_rule *rule);
/* NOT IN THE LAB end */

/*
 * The same for a DNS message of @len bytes at @off, of which the first
 * @avail (<= @len) are present in @ctx.
 */
DNS_PARSE_API
enum dns_verdict dns_msg_check(dns_get_t get, const void *ctx,
			       unsigned int off, unsigned int len,
			       unsigned int avail, const struct dns_rule *rule);

/*
 * The match result: the rule's test inverted by @invert; only queries whose
 * questions could be read ever match.
 */
DNS_PARSE_API
int dns_verdict_match(enum dns_verdict v, int invert);

/*
 * Check a rule's name field of @size bytes: a lowercase wire-format name
 * of letters, digits, '-' and '_', ending inside the field, then zeroes.
 */
DNS_PARSE_API
enum dns_name_err dns_name_check(const unsigned char *name, unsigned int size);
DNS_PARSE_API
const char *dns_name_strerror(enum dns_name_err err);

/* The wire length of a name that passed dns_name_check(). */
DNS_PARSE_API
unsigned int dns_name_wire_len(const unsigned char *name);

/* ASCII-only case folding: resolvers randomise the case of A-Z only. */
DNS_PARSE_API
unsigned char dns_fold(unsigned char c);

/* Characters allowed in a rule's label (lowercase form). */
DNS_PARSE_API
int dns_label_char_ok(unsigned char c);

#endif /* _DNS_PARSE_H */
