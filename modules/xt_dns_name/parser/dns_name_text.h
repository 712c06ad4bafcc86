/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text <-> DNS wire format for rule names (userspace only), shared by the
 * iptables plugin and dns-name-match so both encode names the same way.
 */
#ifndef _DNS_NAME_TEXT_H
#define _DNS_NAME_TEXT_H

#include <stddef.h>

/*
 * Encode @text ("Example.COM", one trailing dot allowed) as a lowercase
 * wire-format name into @wire (@size bytes, zero-filled first). Return the
 * wire length, or -1 with a message in @err.
 */
int dns_name_encode(const char *text, unsigned char *wire, size_t size,
		    char *err, size_t errlen);

/*
 * Write the dotted form of the wire name @wire (@size bytes) into @text;
 * bytes outside the rule character set are written as \DDD.
 */
void dns_name_decode(const unsigned char *wire, size_t size,
		     char *text, size_t textlen);

/* NOT IN THE LAB: --qtype lists (revision 1) */
/*
 * Parse a --qtype list "TYPE[,TYPE...]" (mnemonics in any case: A AAAA MX
 * TXT NS CNAME SOA PTR SRV HTTPS ANY, or numbers 1-65535) into @qtypes (at
 * most @max, in the order given). Return the count, or -1 with a message in
 * @err (empty item, unknown name, 0 or out of range, listed twice, too many).
 */
int dns_qtype_list_parse(const char *text, unsigned short *qtypes,
			 unsigned int max, char *err, size_t errlen);

/* The list as dns_qtype_list_parse() reads it: mnemonics where known. */
void dns_qtype_list_format(const unsigned short *qtypes, unsigned int n,
			   char *text, size_t textlen);
/* NOT IN THE LAB end */

#endif /* _DNS_NAME_TEXT_H */
