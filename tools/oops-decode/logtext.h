/* Splits a console log into lines and strips the per-line printk prefix
 * (log level, syslog header, timestamp, caller id) so the parser only sees
 * the message text. */
#ifndef OOPS_LOGTEXT_H
#define OOPS_LOGTEXT_H

#include <stddef.h>

struct logline {
	const char *msg;   /* message text, trailing blanks removed */
	char cid[12];      /* printk caller id such as "T123" or "C1"; "" if none */
	unsigned char has_ts;
};

struct logtext {
	char *buf;         /* owned copy of the input, one NUL per line end */
	struct logline *lines;
	size_t n;
	int any_ts;        /* at least one line carries a printk timestamp */
};

/* In a log where the kernel's lines carry timestamps, a line without one
 * is user-space output (a test's own echo of "BUG: ..."), not the kernel's. */
static inline int logline_is_kernel(const struct logtext *lt,
				    const struct logline *ll)
{
	return !lt->any_ts || ll->has_ts;
}

/* Never fails: any byte sequence is a log (NULs become spaces). */
void logtext_split(struct logtext *lt, const char *data, size_t len);
void logtext_free(struct logtext *lt);

#endif
