/* Console log -> structured crash report (header, fault site, call trace). */
#ifndef OOPS_PARSE_H
#define OOPS_PARSE_H

#include <stddef.h>

#include "frame.h"

struct report {
	char *header;      /* the crash report's first line */
	char *fault_src;   /* log line the fault site was taken from */
	char *pc_line;     /* first kernel pc line (RIP:/IP:/pc :/...) if any */
	char *fault_why;   /* why there is no fault site, when there is none */
	struct frame fault;
	int has_fault;
	struct frame *frames;  /* the first stack only, '?' frames included */
	size_t nframes, cap;
	int truncated;         /* the report ends before its call trace does */
	char *trunc_why;
};

/* Returns 1 and fills r if a crash report was found, else 0 (r is then
 * empty but must still be freed). */
int oops_parse(const char *data, size_t len, struct report *r);
void report_free(struct report *r);

enum first3_mode { F3_ALL, F3_AFTER_REPORTING, F3_AFTER_IRQ };
/* "f [m], g, h" from the first three reliable frames, or NULL if none. */
char *first3(const struct report *r, enum first3_mode mode);

#endif
