/* SPDX-License-Identifier: GPL-2.0 */
/* Decide one captured frame the way the kernel's dns_name match would. */
#ifndef PACKET_H
#define PACKET_H

/* Link types we decode (pcap LINKTYPE_ values). */
int packet_linktype_ok(unsigned int linktype);

/*
 * Return 1 if the rule "-p udp -m dns_name [!] --domain" with the wire-format
 * @name (XT_DNS_NAME_SIZE bytes) matches the frame, else 0.
 */
int packet_match(const unsigned char *frame, unsigned int caplen,
		 unsigned int linktype, const unsigned char *name, int invert);

#endif
