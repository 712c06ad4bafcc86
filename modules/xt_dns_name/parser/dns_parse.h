/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS query name parser, shared by the xt_dns_name kernel module and the
 * host programs. It depends on neither the kernel nor libc: packet bytes are
 * read through an accessor with skb_header_pointer() semantics.
 */
#ifndef _DNS_PARSE_H
#define _DNS_PARSE_H

#define DNS_PORT		53
#define DNS_UDP_HDR_LEN		8
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

enum dns_verdict {
	DNS_NOT_QUERY,		/* not a DNS query: never matches */
	DNS_NAME_ABSENT,	/* a query, no question has the name */
	DNS_NAME_FOUND,		/* a query, a well-formed question has it */
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
 * @pkt_len bytes (skb->len): a query to port 53 is searched for the
 * wire-format @name (valid per dns_name_check(), @size bytes of storage).
 * The caller has already excluded non-first fragments.
 */
enum dns_verdict dns_udp_check(dns_get_t get, const void *ctx,
			       unsigned int udp_off, unsigned int pkt_len,
			       const unsigned char *name, unsigned int size);

/*
 * Same for a DNS message of @len bytes at @off (the UDP payload as the UDP
 * length bounds it), all of which must be present in @ctx.
 */
enum dns_verdict dns_msg_check(dns_get_t get, const void *ctx,
			       unsigned int off, unsigned int len,
			       const unsigned char *name, unsigned int size);

/* The match result: the name test inverted by @invert, non-queries never. */
int dns_verdict_match(enum dns_verdict v, int invert);

/*
 * Check a rule's name field of @size bytes: a lowercase wire-format name
 * of letters, digits, '-' and '_', ending inside the field, then zeroes.
 */
enum dns_name_err dns_name_check(const unsigned char *name, unsigned int size);
const char *dns_name_strerror(enum dns_name_err err);

/* ASCII-only case folding: resolvers randomise the case of A-Z only. */
unsigned char dns_fold(unsigned char c);

/* Characters allowed in a rule's label (lowercase form). */
int dns_label_char_ok(unsigned char c);

#endif /* _DNS_PARSE_H */
