// SPDX-License-Identifier: GPL-2.0
/* Minimal classic pcap reader; see pcap.h. */
#include <stdint.h>
#include <stdlib.h>

#include "pcap.h"

#define PCAP_MAGIC_US	0xa1b2c3d4u
#define PCAP_MAGIC_NS	0xa1b23c4du
#define PCAPNG_MAGIC	0x0a0d0d0au
/* Far above any snaplen in use; anything larger is a corrupt file. */
#define PCAP_MAX_RECORD	(16u << 20)

static uint32_t get32(const unsigned char *b, int big_endian)
{
	uint32_t le = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	uint32_t be = b[3] | b[2] << 8 | b[1] << 16 | (uint32_t)b[0] << 24;

	return big_endian ? be : le;
}

int pcap_open(struct pcap_file *p, FILE *f, char *err, size_t errlen)
{
	unsigned char h[24];
	size_t n = fread(h, 1, sizeof(h), f);
	uint32_t magic;

	p->f = f;
	p->count = 0;
	p->buf = NULL;
	p->bufsize = 0;
	if (n < 4) {
		snprintf(err, errlen, "not a pcap file (%zu bytes)", n);
		return -1;
	}
	magic = get32(h, 0);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		p->big_endian = 0;
	} else if (get32(h, 1) == PCAP_MAGIC_US ||
		   get32(h, 1) == PCAP_MAGIC_NS) {
		p->big_endian = 1;
	} else if (magic == PCAPNG_MAGIC) {
		snprintf(err, errlen, "pcapng is not supported, only classic "
			 "pcap (convert with: editcap -F pcap)");
		return -1;
	} else {
		snprintf(err, errlen, "not a pcap file (magic 0x%08x)",
			 (unsigned int)magic);
		return -1;
	}
	if (n < sizeof(h)) {
		snprintf(err, errlen, "truncated pcap file header (%zu of %zu "
			 "bytes)", n, sizeof(h));
		return -1;
	}
	/* Upper bits of the link type field carry FCS information. */
	p->linktype = get32(h + 20, p->big_endian) & 0xffff;
	return 0;
}

int pcap_next(struct pcap_file *p, struct pcap_pkt *pkt,
	      char *err, size_t errlen)
{
	unsigned char h[16];
	size_t n = fread(h, 1, sizeof(h), p->f);
	uint32_t len;

	if (n == 0 && feof(p->f))
		return 0;
	if (n < sizeof(h)) {
		snprintf(err, errlen, "truncated record header after packet "
			 "%lu (%zu of %zu bytes)", p->count, n, sizeof(h));
		return -1;
	}
	len = get32(h + 8, p->big_endian);
	if (len > PCAP_MAX_RECORD) {
		snprintf(err, errlen, "packet %lu: implausible record length "
			 "%u", p->count + 1, (unsigned int)len);
		return -1;
	}
	if (len > p->bufsize) {
		unsigned char *b = realloc(p->buf, len);

		if (!b) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		p->buf = b;
		p->bufsize = len;
	}
	n = fread(p->buf, 1, len, p->f);
	if (n < len) {
		snprintf(err, errlen, "packet %lu: truncated data (%zu of %u "
			 "bytes)", p->count + 1, n, (unsigned int)len);
		return -1;
	}
	p->count++;
	pkt->data = p->buf;
	pkt->caplen = len;
	/* A snaplen shorter than the frame: the capture kept only caplen. */
	pkt->origlen = get32(h + 12, p->big_endian);
	if (pkt->origlen < len)
		pkt->origlen = len;
	return 1;
}

void pcap_close(struct pcap_file *p)
{
	free(p->buf);
	p->buf = NULL;
	p->bufsize = 0;
}
