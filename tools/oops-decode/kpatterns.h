/* What the kernel prints: crash-report headers, report terminators, the
 * reporting machinery's own frames, stack-bottom frames, register dumps. */
#ifndef OOPS_KPATTERNS_H
#define OOPS_KPATTERNS_H

#include <stdio.h>

/* What a crash report is about: the --classify vocabulary. */
enum crash_kind {
	CK_NONE,
	CK_PANIC,       /* the kernel died: "Kernel panic - not syncing" */
	CK_OOPS,        /* die(): page fault, GPF, invalid opcode, ... */
	CK_BUG,         /* BUG()/BUG_ON() and the other "BUG:" reports */
	CK_WARNING,     /* WARN() */
	CK_KASAN,
	CK_UBSAN,
	CK_KFENCE,
	CK_KMSAN,
	CK_LOCKDEP,
	CK_LOCKUP,      /* soft/hard lockup, workqueue lockup, RCU stall */
	CK_HUNG_TASK,
	CK_CORRUPTION,  /* list/refcount/usercopy/SLUB checks */
	CK_NKINDS,
};

/* Header flags. */
#define CH_DIE  0x1  /* die()'s line: belongs to the report opened just before */
#define CH_WEAK 0x2  /* generic "BUG:": a die line that follows tells the kind */
#define CH_WARN 0x4  /* "WARNING:" only when is_warning() agrees */

/* One line that starts a crash report: the message starts with prefix
 * and, when contains is set, also contains that text. */
struct crash_header {
	const char *prefix;
	unsigned char len;      /* strlen(prefix) */
	const char *contains;
	enum crash_kind kind;
	unsigned flags;
};

/* The header msg starts with ("watchdog: BUG: ..." too), or NULL. */
const struct crash_header *crash_header_of(const char *msg);

/* msg starts a crash report (BUG:, Oops, KASAN, WARNING:, panic, ...). */
int is_crash_header(const char *msg);

const char *crash_kind_name(enum crash_kind k);

/* The kinds and their header prefixes, for --help. */
void print_crash_kinds(FILE *out);

/* "------------[ cut here ]" (and arm's "8<--- cut here"). */
int is_cut_here(const char *t);

/* msg (leading blanks removed) closes the report ("---[ end trace", ...). */
int is_report_end(const char *t);

/* "Call Trace:", "Call trace:", "Backtrace:"; returns text after it. */
const char *trace_header_rest(const char *t);

/* Register dump, "Code:", stack hex dump: noise inside a trace. */
int is_register_line(const char *t);

/* Frames that only exist because something is being reported. */
int is_reporting_func(const char *func);

/* Frames a complete kernel stack normally ends with. */
int is_bottom_func(const char *func);

#endif
