/* Frames -> file:line: picks the object of each frame (vmlinux or the
 * module's .ko), finds the symbol, and asks addr2line for every address of
 * one object (one section of a .ko) in a single run. */
#ifndef OOPS_RESOLVE_H
#define OOPS_RESOLVE_H

#include <stddef.h>

#include "parse.h"

enum res_status { RES_NONE, RES_OK, RES_NOOBJ, RES_NOSYM, RES_NODEBUG };

struct srcline {
	char *func, *loc;  /* innermost first, then the "(inlined by)" chain */
};

struct resolved {
	enum res_status status;
	char *objpath;                 /* the object file, NULL if missing */
	char *secname;                 /* its section holding the symbol */
	int width;                     /* hex digits of an address */
	int is_rel, is_x86;
	unsigned long long symval;     /* st_value, as readelf -s shows it */
	unsigned long long ksize;
	unsigned long long addr;       /* address given to addr2line */
	int adjusted;                  /* addr is pc - 1 (a return address) */
	struct srcline *lines;
	size_t nlines;
};

/* Owns everything it points to; the object files are closed again by the
 * time resolve_report returns. */
struct resolution {
	struct resolved fault;
	struct resolved *frames;       /* parallel to report->frames */
	size_t nframes;
	char **notes;
	size_t nnotes;
	int partial;                   /* something could not be resolved */
};

/* vmlinux and/or moddir may be NULL. Always fills res. */
void resolve_report(const struct report *r, const char *vmlinux,
		    const char *moddir, struct resolution *res);
void resolution_free(struct resolution *res);

#endif
