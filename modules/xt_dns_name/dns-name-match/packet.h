/* SPDX-License-Identifier: GPL-2.0 */
/* Decide one captured frame the way the kernel's dns_name match would. */
#ifndef PACKET_H
#define PACKET_H

#include "dns_parse.h"

/* Link types we decode (pcap LINKTYPE_ values). */
int packet_linktype_ok(unsigned int linktype);

/*
 * The verdict of "-m dns_name" (revision 1: UDP and TCP) with @rule on a
 * frame of @origlen bytes of which the capture kept @caplen: DNS_TRUNCATED
 * when the bytes that would decide it are missing (from the capture, or
 * from a TCP segment).
 */
enum dns_verdict packet_verdict(const unsigned char *frame, unsigned int caplen,
				unsigned int origlen, unsigned int linktype,
				const struct dns_rule *rule);

#endif
