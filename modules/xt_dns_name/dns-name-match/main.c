// SPDX-License-Identifier: GPL-2.0
/*
 * dns-name-match: apply "-p udp -m dns_name [!] --domain NAME" to the
 * packets of classic pcap files, offline, with the kernel module's parser.
 * Prints "<number> match" or "<number> no-match" per packet (1-based,
 * across files). Exit: 0 done, 1 unreadable/bad/truncated file, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns_name_text.h"
#include "packet.h"
#include "pcap.h"
#include "xt_dns_name.h"

static const char *prog = "dns-name-match";

static int usage(FILE *out)
{
	fprintf(out, "usage: %s [!] --domain NAME FILE.pcap...\n"
		"Prints '<n> match' or '<n> no-match' for every packet, as the "
		"iptables rule\n'-p udp -m dns_name [!] --domain NAME' would "
		"decide it (see libxt_dns_name.man).\n", prog);
	return out == stderr ? 2 : 0;
}

static int run_file(const char *path, const unsigned char *name, int invert,
		    unsigned long *number)
{
	char err[256];
	struct pcap_file p;
	struct pcap_pkt pkt;
	FILE *f = fopen(path, "rb");
	int r;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	r = pcap_open(&p, f, err, sizeof(err));
	if (!r && !packet_linktype_ok(p.linktype)) {
		snprintf(err, sizeof(err), "unsupported link type %u",
			 p.linktype);
		r = -1;
	}
	while (!r && (r = pcap_next(&p, &pkt, err, sizeof(err))) > 0) {
		printf("%lu %s\n", ++*number,
		       packet_match(pkt.data, pkt.caplen, p.linktype, name,
				    invert) ? "match" : "no-match");
		r = 0;
	}
	pcap_close(&p);
	fclose(f);
	if (r < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: %s: %s\n", prog, path, err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char name[XT_DNS_NAME_SIZE];
	const char *domain = NULL;
	unsigned long number = 0;
	int i = 1, invert = 0, rc = 0;
	char err[256];

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help")))
		return usage(stdout);
	if (i < argc && !strcmp(argv[i], "!")) {
		invert = 1;
		i++;
	}
	if (i < argc && !strncmp(argv[i], "--domain=", 9)) {
		domain = argv[i++] + 9;
	} else if (i + 1 < argc && !strcmp(argv[i], "--domain")) {
		domain = argv[i + 1];
		i += 2;
	}
	if (!domain || i >= argc)
		return usage(stderr);
	if (dns_name_encode(domain, name, sizeof(name), err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: bad --domain \"%s\": %s\n", prog, domain,
			err);
		return 2;
	}
	/* A bad file stops the run: later numbers would be meaningless. */
	for (; i < argc && !rc; i++)
		rc = run_file(argv[i], name, invert, &number);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error\n", prog);
		return 1;
	}
	return rc;
}
