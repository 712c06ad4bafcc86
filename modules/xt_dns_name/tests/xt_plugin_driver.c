// SPDX-License-Identifier: GPL-2.0
/*
 * Drive libxt_dns_name.so through libxtables as iptables would, but with no
 * kernel ruleset at all: parse the match options, run the final check, and
 * print the "iptables -L" text, the save text and the match data in hex.
 *
 * usage: xt-plugin-driver MATCH-OPTIONS...   e.g. ! --domain example.com
 * The plugin is found through XTABLES_LIBDIR; XT_PLUGIN_DRIVER_REV=N plays a
 * kernel whose newest revision is N (default: every revision). The output
 * also names the revision used. Exits 2 on a parameter problem.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

static void driver_exit_err(enum xtables_exittype status, const char *msg, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static struct option orig_opts[] = {
	{ .name = NULL },
};

static int driver_compat_rev(const char *name, uint8_t rev, int opt)
{
	/* No kernel to ask: the revisions up to XT_PLUGIN_DRIVER_REV. */
	const char *max = getenv("XT_PLUGIN_DRIVER_REV");

	(void)name;
	(void)opt;
	return !max || rev <= atoi(max);
}

static struct xtables_globals globals = {
	.program_name = "xt-plugin-driver",
	.program_version = "1",
	.orig_opts = orig_opts,
	.exit_err = driver_exit_err,
	.compat_rev = driver_compat_rev,
};

static void driver_exit_err(enum xtables_exittype status, const char *msg, ...)
{
	va_list ap;

	fprintf(stderr, "xt-plugin-driver: ");
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	xtables_free_opts(1);
	exit(status);
}

int main(int argc, char **argv)
{
	struct xtables_match *m;
	size_t size;
	unsigned int i;
	bool invert = false;
	int c;

	xtables_init_all(&globals, NFPROTO_IPV4);
	m = xtables_find_match("dns_name", XTF_LOAD_MUST_SUCCEED, NULL);
	size = XT_ALIGN(sizeof(struct xt_entry_match)) + m->size;
	m->m = xtables_calloc(1, size);
	m->m->u.match_size = size;
	strcpy(m->m->u.user.name, m->name);
	m->m->u.user.revision = m->revision;
	if (m->init)
		m->init(m->m);
	globals.opts = xtables_options_xfrm(globals.orig_opts, NULL,
					    m->x6_options, &m->option_offset);
	if (!globals.opts)
		driver_exit_err(OTHER_PROBLEM, "cannot merge options");

	/* "-": non-options come back as 1, which is how "!" is seen. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-", globals.opts, NULL)) != -1) {
		if (c == 1 && !strcmp(optarg, "!") && !invert) {
			invert = true;
			continue;
		}
		if (c < (int)m->option_offset)
			driver_exit_err(PARAMETER_PROBLEM, "bad argument %s",
					argv[optind - 1]);
		xtables_option_mpcall(c, argv, invert, m, NULL);
		invert = false;
	}
	if (invert)
		driver_exit_err(PARAMETER_PROBLEM, "\"!\" without an option");
	xtables_option_mfcall(m);

	printf("rev:%u\n", m->revision);
	printf("print:");
	m->print(NULL, m->m, 0);
	printf("\nsave:");
	m->save(NULL, m->m);
	printf("\ndata:");
	for (i = 0; i < m->size; i++)
		printf("%02x", m->m->data[i]);
	printf("\n");
	free(m->m);
	m->m = NULL;
	xtables_free_opts(1);
	return 0;
}
