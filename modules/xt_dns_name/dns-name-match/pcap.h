/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal reader for classic pcap files (either byte order, us or ns). */
#ifndef PCAP_READ_H
#define PCAP_READ_H

#include <stddef.h>
#include <stdio.h>

struct pcap_file {
	FILE *f;
	int big_endian;		/* byte order the writer used */
	unsigned int linktype;
	unsigned long count;	/* records read so far */
	unsigned char *buf;
	size_t bufsize;
};

struct pcap_pkt {
	const unsigned char *data;
	unsigned int caplen;	/* bytes captured */
	unsigned int origlen;	/* bytes the frame had (>= caplen) */
};

/* Read the file header. Return 0, or -1 with a message in @err. */
int pcap_open(struct pcap_file *p, FILE *f, char *err, size_t errlen);

/* Next record: 1 with @pkt filled, 0 at end, -1 with a message in @err. */
int pcap_next(struct pcap_file *p, struct pcap_pkt *pkt,
	      char *err, size_t errlen);

void pcap_close(struct pcap_file *p);

#endif
