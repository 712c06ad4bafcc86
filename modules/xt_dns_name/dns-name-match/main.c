// SPDX-License-Identifier: GPL-2.0
/*
 * dns-name-match: apply a dns_name rule ("-m dns_name [!] --domain NAME",
 * revision 1 with --domain-suffix and --qtype) to the packets of classic
 * pcap files, offline, with the kernel module's parser. See usage().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_name_text.h"
#include "packet.h"
#include "pcap.h"
#include "xt_dns_name.h"

static const char *prog = "dns-name-match";

static void usage(FILE *out)
{
	fprintf(out,
"usage: %s [!] --domain NAME [--qtype TYPE[,TYPE...]] [--] FILE...\n"
"       %s [!] --domain-suffix NAME [--qtype TYPE[,TYPE...]] [--] FILE...\n"
"Prints '<n> match' or '<n> no-match' for every packet (numbered from 1\n"
"across the files), as the rule '-m dns_name' with these options would\n"
"decide it (revision 1: UDP and TCP, see libxt_dns_name.man), or\n"
"'<n> truncated' when the capture's snaplen cut off the bytes that decide\n"
"it. FILE is a classic pcap file; - reads standard input.\n"
"Exit: 0 every packet decided, 1 a file is unreadable or bad, 2 usage,\n"
"3 some packets truncated (also said on standard error).\n", prog, prog);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

struct run {
	const struct dns_rule *rule;
	int invert;
	unsigned long number;		/* packets so far, across files */
	unsigned long truncated;
};

static int run_file(const char *path, struct run *run)
{
	char err[256];
	struct pcap_file p;
	struct pcap_pkt pkt;
	int is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	enum dns_verdict v;
	int r;

	if (is_stdin)
		path = "(standard input)";
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
		v = packet_verdict(pkt.data, pkt.caplen, pkt.origlen,
				   p.linktype, run->rule);
		run->number++;
		/* Whole frame: a TCP segment that lacks the question. */
		if (v == DNS_TRUNCATED && pkt.caplen < pkt.origlen) {
			run->truncated++;
			printf("%lu truncated\n", run->number);
		} else {
			printf("%lu %s\n", run->number,
			       dns_verdict_match(v, run->invert) ?
			       "match" : "no-match");
		}
		r = 0;
	}
	pcap_close(&p);
	if (!is_stdin)
		fclose(f);
	if (r < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: %s: %s\n", prog, path, err);
		return 1;
	}
	return 0;
}

/* If @argv[*i] is --NAME VALUE or --NAME=VALUE, return VALUE. */
static const char *opt_value(char **argv, int argc, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc)
		usage_error("%s needs a value", name);
	return argv[++*i];
}

int main(int argc, char **argv)
{
	unsigned char name[XT_DNS_NAME1_SIZE];
	unsigned short qtypes[XT_DNS_QTYPE_MAX];
	struct dns_rule rule = { name, 0, 0, qtypes, 0 };
	struct run run = { &rule, 0, 0, 0 };
	const char *domain = NULL, *types = NULL, *opt = "--domain", *v;
	int i, bang = 0, rc = 0, n;
	char err[256];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "!")) {
			if (bang || domain)
				usage_error("'!' goes once, right before "
					    "--domain or --domain-suffix");
			bang = 1;
			continue;
		}
		v = opt_value(argv, argc, &i, "--domain");
		if (!v && (v = opt_value(argv, argc, &i, "--domain-suffix")))
			rule.suffix = 1;
		if (v) {
			if (domain)
				usage_error("one name per rule: --domain or "
					    "--domain-suffix, once");
			if (!strcmp(v, "!"))
				usage_error("'!' goes before the option: "
					    "! --domain NAME");
			domain = v;
			opt = rule.suffix ? "--domain-suffix" : "--domain";
			run.invert = bang;
			bang = 0;
			continue;
		}
		v = opt_value(argv, argc, &i, "--qtype");
		if (v) {
			if (types)
				usage_error("--qtype given twice");
			if (bang)
				usage_error("'!' goes before --domain or "
					    "--domain-suffix");
			types = v;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			usage_error("unknown option '%s'", argv[i]);
		break;
	}
	/* Options after a file would be taken for files: say so. */
	if (i == 1 || strcmp(argv[i - 1], "--")) {
		int j;

		for (j = i; j < argc; j++)
			if (!strcmp(argv[j], "!") ||
			    (argv[j][0] == '-' && argv[j][1]))
				usage_error("'%s' after a file: options go "
					    "first (or put -- before a file "
					    "named so)", argv[j]);
	}
	if (bang)
		usage_error("'!' must be followed by --domain or "
			    "--domain-suffix");
	if (!domain)
		usage_error("--domain NAME or --domain-suffix NAME is "
			    "required");
	if (i >= argc)
		usage_error("no capture file (- reads standard input)");
	n = dns_name_encode(domain, name, sizeof(name), err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s: bad %s \"%s\": %s\n", prog, opt, domain,
			err);
		return 2;
	}
	rule.name_len = (unsigned int)n;
	if (types) {
		n = dns_qtype_list_parse(types, qtypes, XT_DNS_QTYPE_MAX, err,
					 sizeof(err));
		if (n < 0) {
			fprintf(stderr, "%s: bad --qtype \"%s\": %s\n", prog,
				types, err);
			return 2;
		}
		rule.qtype_count = (unsigned int)n;
	}
	/* A bad file stops the run: later numbers would be meaningless. */
	for (; i < argc && !rc; i++)
		rc = run_file(argv[i], &run);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error\n", prog);
		return 1;
	}
	if (!rc && run.truncated) {
		fprintf(stderr, "%s: %lu of %lu packets truncated by the "
			"capture's snaplen: neither match nor no-match\n",
			prog, run.truncated, run.number);
		rc = 3;
	}
	return rc;
}
