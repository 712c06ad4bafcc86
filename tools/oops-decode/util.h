/* Small allocation and string-building helpers shared by all parts. */
#ifndef OOPS_UTIL_H
#define OOPS_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Allocation failure is fatal: there is no useful partial result to give. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Makes room for at least `need` elements of `elem` bytes in *arr. */
void grow_array(void **arr, size_t *cap, size_t need, size_t elem);

/* Growable NUL-terminated string. A zeroed struct is an empty buffer. */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Returns the string (never NULL) and leaves the buffer empty. */
char *sb_steal(struct sbuf *b);
void sb_free(struct sbuf *b);

/* Writes s with control bytes (C0, DEL, C1) and bytes that are not valid
 * UTF-8 as \xNN: text from a log must not drive the terminal. */
void fputs_safe(const char *s, FILE *out);

int starts_with(const char *s, const char *prefix);
const char *skip_spaces(const char *s);

#endif
