/* oops-decode: find the first crash report in a kernel console log, extract
 * its fault site and call trace, and resolve them to file:line; or, with
 * --classify, list every crash report of the log by kind. */
#include "classify.h"
#include "disasm.h"
#include "kpatterns.h"
#include "parse.h"
#include "print.h"
#include "resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	EXIT_OK = 0,
	EXIT_NOREPORT = 1,
	EXIT_USAGE = 2,
	EXIT_PARTIAL = 3,
	EXIT_TRUNCATED = 4,
};

static const char usage_text[] =
"Usage: oops-decode [OPTIONS] [LOG]\n"
"       oops-decode --classify [LOG|-]\n"
"\n"
"Finds the first kernel crash report (BUG:, Oops, general protection fault,\n"
"KASAN:, UBSAN:, WARNING:, kernel BUG at, divide error, soft lockup, RCU\n"
"stall, Kernel panic, arm/arm64/riscv 'Unable to handle'/'Internal error',\n"
"...) in a kernel console log and decodes it. LOG is a file; without it, or\n"
"with '-', the log is read from standard input. Timestamps, printk caller\n"
"ids ([T123]/[C1]) and interleaved output of other tasks are handled.\n"
"\n"
"Options:\n"
"  --parse-only     print only 'key: value' lines (no resolution):\n"
"                   header_line, fault_function, fault_offset, fault_size,\n"
"                   fault_module, call_trace_first3,\n"
"                   call_trace_first3_after_reporting_frames,\n"
"                   call_trace_first3_after_irq ('none' if no value).\n"
"                   first3 lists the first three non-'?' frames as\n"
"                   'func [module], func, ...'; 'after_reporting_frames'\n"
"                   skips leading dump_stack/panic/kasan/ubsan/warn frames;\n"
"                   'after_irq' starts after the first </IRQ> or <EOI>.\n"
"  --vmlinux FILE   resolve kernel frames with this vmlinux (needs symbols;\n"
"                   file:line needs debug info)\n"
"  --modules DIR    resolve module frames with DIR/**/<module>.ko ('-' and\n"
"                   '_' in module names are equivalent)\n"
"  --disasm         also print 'objdump -d -S' (Intel syntax on x86) around\n"
"                   the faulting instruction, marked with '-->'\n"
"  --classify       list every crash report of the whole log instead (see\n"
"                   below); takes no other option\n"
"  -h, --help       show this help\n"
"\n"
"Report (default output):\n"
"  Header:     <first line of the crash report>\n"
"  RIP line:   <the kernel pc line: RIP:/IP:/EIP is at/pc :/PC is at/epc :>\n"
"  Fault:      func+off/size [module]      (or: none (reason))\n"
"    address:  func <st_value as readelf -s shows it> + off = <addr> in\n"
"              <section> of <object>        (one line)\n"
"    source:   file:line [(in <innermost inlined function>)]\n"
"              (inlined by) func at file:line\n"
"  Call Trace:\n"
"    func+off/size [module] file:line [(in <inlined function>)]\n"
"        (inlined by) func at file:line\n"
"  Warning:    report truncated: <why>     (only if it is)\n"
"  Notes:      missing objects/symbols/line info, one line each\n"
"Without --vmlinux/--modules the same report is printed unresolved.\n"
"'?' frames are left out unless every frame is a '?' frame. Call-trace\n"
"frames are return addresses and are looked up at pc-1; the fault (and a\n"
"first frame that is the faulting pc, as on arm64/riscv) is not.\n"
"Frames whose object is missing stay func+off/size and get one note.\n"
"Messages and warnings go to standard error, prefixed 'oops-decode: '.\n"
"\n"
"Exit status:\n"
"  0  a crash report was found (and everything asked for was resolved)\n"
"  1  no crash report in the input (also: empty input, binary data)\n"
"  2  usage error, or a file could not be read\n"
"  3  partial resolution: a frame's object, symbol or line information\n"
"     was missing (see Notes), or --disasm failed\n"
"  4  the crash report is truncated (log ends inside the call trace, or\n"
"     there is no call trace); everything found is still printed (also\n"
"     with --parse-only)\n"
"If both 3 and 4 apply, 3 is returned.\n"
"\n"
"--classify prints one line per crash report, in log order:\n"
"  KIND<TAB>FIRST-LINE\n"
"FIRST-LINE is the report's first line without timestamp and caller id;\n"
"control bytes, DEL and invalid UTF-8 in it are written as \\xNN. Nothing\n"
"found: the single line 'none'. Exit status: 0 found, 1 none, 2 usage\n"
"error or unreadable LOG. A report's first line is one of the headers\n"
"below (also after one subsystem prefix: 'watchdog: BUG: soft lockup',\n"
"'rcu: INFO: rcu_preempt detected stalls'); the most specific one tells\n"
"its kind ('BUG: KASAN:' is kasan, not bug). Lines that follow it in the\n"
"same context (printk caller id), before its call trace and end marker,\n"
"belong to the same report:\n"
"  - die()'s line (Oops:, Internal error:, invalid opcode:, general\n"
"    protection fault, ...) after a page fault, BUG() or other 'BUG:'\n"
"    header; a generic 'BUG:' report then takes the die line's kind;\n"
"  - the WARNING or 'kernel BUG at' that a failed check (corruption) raises.\n"
"'Kernel panic - not syncing' is always a report of its own (kind panic):\n"
"the kernel died. 'WARNING:' is a WARN() only when CPU:, at or [ follows it,\n"
"or the line has a +0x or a file:line ('WARNING: The mand mount option'\n"
"is not one). In a log with printk timestamps, lines without one are user\n"
"space.\n"
"Kinds and headers:\n";

static int read_all(int fd, char **buf, size_t *len)
{
	struct sbuf b = { 0 };
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sb_free(&b);
			return -1;
		}
		if (!n)
			break;
		sb_add(&b, chunk, (size_t)n);
	}
	*len = b.len;
	*buf = sb_steal(&b);
	return 0;
}

static int load_input(const char *path, char **buf, size_t *len)
{
	int fd = 0, rc;

	if (path && strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "oops-decode: cannot open %s: %s\n", path,
				strerror(errno));
			return -1;
		}
	}
	rc = read_all(fd, buf, len);
	if (rc)
		fprintf(stderr, "oops-decode: cannot read %s: %s\n",
			fd ? path : "standard input", strerror(errno));
	if (fd)
		close(fd);
	return rc;
}

static int check_path(const char *what, const char *path, int want_dir)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "oops-decode: %s %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		fprintf(stderr, "oops-decode: %s %s: not a %s\n", what, path,
			want_dir ? "directory" : "regular file");
		return -1;
	}
	if (access(path, want_dir ? R_OK | X_OK : R_OK)) {
		fprintf(stderr, "oops-decode: %s %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

struct options {
	int parse_only, disasm, classify;
	const char *vmlinux, *moddir, *log;
};

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The message, then the usage lines: what is wrong and how it is right. */
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("oops-decode: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nUsage: oops-decode [--parse-only] [--vmlinux FILE] [--modules DIR]"
	      " [--disasm] [LOG]\n"
	      "       oops-decode --classify [LOG|-]\n"
	      "See oops-decode --help.\n", stderr);
}

/* The name and argument of the long option whose val is c. */
static const struct option *option_of(const struct option *opts, int c)
{
	for (; opts->name; opts++)
		if (opts->val == c)
			return opts;
	return NULL;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "parse-only", no_argument, NULL, 'p' },
		{ "vmlinux", required_argument, NULL, 'v' },
		{ "modules", required_argument, NULL, 'm' },
		{ "disasm", no_argument, NULL, 'd' },
		{ "classify", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct option *opt;
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		/* "--vmlinux --modules d" must not take "--modules" as FILE */
		if ((c == 'v' || c == 'm') && (!*optarg || starts_with(optarg, "--"))) {
			optopt = c;
			c = ':';
		}
		switch (c) {
		case 'p': o->parse_only = 1; break;
		case 'v': o->vmlinux = optarg; break;
		case 'm': o->moddir = optarg; break;
		case 'd': o->disasm = 1; break;
		case 'c': o->classify = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			print_crash_kinds(stdout);
			exit(EXIT_OK);
		case ':':  /* only --vmlinux and --modules take one */
			usage_error("--%s needs a %s",
				    optopt == 'v' ? "vmlinux" : "modules",
				    optopt == 'v' ? "FILE" : "DIR");
			return -1;
		default:
			opt = starts_with(argv[optind - 1], "--") ?
			      option_of(longopts, optopt) : NULL;
			if (opt)
				usage_error("--%s takes no argument", opt->name);
			else if (optopt)
				usage_error("unknown option '-%c'", optopt);
			else
				usage_error("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind > 1) {
		usage_error("only one LOG may be given");
		return -1;
	}
	o->log = optind < argc ? argv[optind] : NULL;
	if (o->classify && (o->parse_only || o->vmlinux || o->moddir || o->disasm)) {
		usage_error("--classify takes no other option");
		return -1;
	}
	if (o->disasm && !o->parse_only && !o->vmlinux && !o->moddir) {
		usage_error("--disasm needs --vmlinux or --modules");
		return -1;
	}
	if (o->vmlinux && check_path("vmlinux", o->vmlinux, 0))
		return -1;
	if (o->moddir && check_path("modules directory", o->moddir, 1))
		return -1;
	return 0;
}

static int decode(const struct options *o, const struct report *r)
{
	struct resolution res;
	int rc = EXIT_OK;

	if (o->parse_only) {
		print_keys(stdout, r);
		return EXIT_OK;
	}
	if (!o->vmlinux && !o->moddir) {
		print_report(stdout, r, NULL);
		return EXIT_OK;
	}
	resolve_report(r, o->vmlinux, o->moddir, &res);
	print_report(stdout, r, &res);
	if (res.partial)
		rc = EXIT_PARTIAL;
	if (o->disasm) {
		fputc('\n', stdout);
		if (!r->has_fault) {
			fputs("oops-decode: --disasm: the report has no fault site\n",
			      stderr);
			rc = EXIT_PARTIAL;
		} else if (print_disasm(stdout, &res.fault)) {
			rc = EXIT_PARTIAL;
		}
	}
	if (rc == EXIT_PARTIAL)
		fprintf(stderr, "oops-decode: partial resolution (%zu note(s))\n",
			res.nnotes);
	resolution_free(&res);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct report r;
	char *buf = NULL;
	size_t len = 0;
	const char *name;
	int rc;

	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;
	if (load_input(o.log, &buf, &len))
		return EXIT_USAGE;
	if (o.classify) {
		rc = classify_log(stdout, buf, len) ? EXIT_OK : EXIT_NOREPORT;
		if (rc == EXIT_NOREPORT)
			fputs("none\n", stdout);
		free(buf);
		if (fflush(stdout) || ferror(stdout)) {
			fputs("oops-decode: error writing output\n", stderr);
			return EXIT_USAGE;
		}
		return rc;
	}
	name = o.log && strcmp(o.log, "-") ? o.log : "standard input";
	if (!len) {
		fprintf(stderr, "oops-decode: %s is empty\n", name);
		free(buf);
		return EXIT_NOREPORT;
	}
	if (!oops_parse(buf, len, &r)) {
		fprintf(stderr, "oops-decode: no kernel crash report found in %s\n",
			name);
		report_free(&r);
		free(buf);
		return EXIT_NOREPORT;
	}
	free(buf);
	rc = decode(&o, &r);
	if (r.truncated) {
		fprintf(stderr, "oops-decode: warning: %s: crash report is "
			"truncated: %s\n", name, r.trunc_why);
		if (rc == EXIT_OK)
			rc = EXIT_TRUNCATED;
	}
	report_free(&r);
	if (fflush(stdout) || ferror(stdout)) {
		fputs("oops-decode: error writing output\n", stderr);
		return EXIT_USAGE;
	}
	return rc;
}
