#include "frame.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_symch(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

static int is_modch(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

void frame_clear(struct frame *f)
{
	free(f->func);
	free(f->off);
	free(f->size);
	free(f->module);
	free(f->srcloc);
	memset(f, 0, sizeof(*f));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void frame_copy(struct frame *dst, const struct frame *src)
{
	*dst = *src;
	dst->func = dup_or_null(src->func);
	dst->off = dup_or_null(src->off);
	dst->size = dup_or_null(src->size);
	dst->module = dup_or_null(src->module);
	dst->srcloc = dup_or_null(src->srcloc);
}

/* "0x1f" (the 0x is what the kernel prints; plain hex is tolerated). */
static const char *parse_hex(const char *s, const char **start,
			     unsigned long long *val)
{
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!isxdigit((unsigned char)*p))
		return NULL;
	*start = s;
	*val = strtoull(p, NULL, 16);
	while (isxdigit((unsigned char)*p))
		p++;
	return p;
}

const char *parse_symref(const char *s, struct frame *f)
{
	const char *p = s, *offs, *sizes = NULL, *offe, *sizee = NULL, *q;
	unsigned long long offv, sizev = 0;

	while (is_symch((unsigned char)*p))
		p++;
	if (p == s || *p != '+')
		return NULL;
	offe = parse_hex(p + 1, &offs, &offv);
	if (!offe)
		return NULL;
	q = offe;
	if (*q == '/') {
		sizee = parse_hex(q + 1, &sizes, &sizev);
		if (!sizee)
			return NULL;
		q = sizee;
	}
	f->func = xstrndup(s, (size_t)(p - s));
	f->off = xstrndup(offs, (size_t)(offe - offs));
	f->offv = offv;
	if (sizee) {
		f->size = xstrndup(sizes, (size_t)(sizee - sizes));
		f->sizev = sizev;
	}
	/* "[mod]" or "[mod buildid]" */
	p = q;
	while (*p == ' ')
		p++;
	if (*p == '[') {
		const char *m = p + 1, *me = m;

		while (is_modch((unsigned char)*me))
			me++;
		if (me > m && (*me == ']' || *me == ' ')) {
			const char *close = strchr(me, ']');

			if (close) {
				f->module = xstrndup(m, (size_t)(me - m));
				q = close + 1;
			}
		}
	}
	return q;
}

const char *parse_bracket_addr(const char *s, unsigned long long *addr)
{
	const char *p = s, *start;
	int angle = 0;

	if (*p++ != '[')
		return NULL;
	if (*p == '<') {
		angle = 1;
		p++;
	}
	p = parse_hex(p, &start, addr);
	if (!p)
		return NULL;
	if (angle && *p++ != '>')
		return NULL;
	if (*p != ']')
		return NULL;
	return p + 1;
}

static int is_unknown_addr(const char *s, const char **end)
{
	const char *p = s;

	if (p[0] != '0' || p[1] != 'x' || !isxdigit((unsigned char)p[2]))
		return 0;
	p += 2;
	while (isxdigit((unsigned char)*p))
		p++;
	*end = p;
	return 1;
}

int parse_frame_line(const char *msg, struct frame *f, int allow_bare)
{
	const char *s = skip_spaces(msg), *p, *rest;
	struct frame tmp;
	int reliable = 1, nbr = 0;
	unsigned long long addr = 0;

	memset(&tmp, 0, sizeof(tmp));
	if (s[0] == '?' && s[1] == ' ') {
		reliable = 0;
		s = skip_spaces(s + 2);
	}
	/* powerpc prints "[sp] [lr] sym"; the last bracket is the pc. */
	while (nbr < 2 && *s == '[' && (p = parse_bracket_addr(s, &addr))) {
		nbr++;
		s = skip_spaces(p);
	}
	if (!nbr && !allow_bare)
		return 0;
	if (s[0] == '?' && s[1] == ' ') {
		reliable = 0;
		s = skip_spaces(s + 2);
	}
	p = parse_symref(s, &tmp);
	if (!p) {
		if (!is_unknown_addr(s, &p))
			return 0;
		tmp.func = xstrndup(s, (size_t)(p - s));
	}
	rest = skip_spaces(p);
	if (*rest) {
		size_t n = strcspn(rest, " \t");

		if (starts_with(rest, "(unreliable)")) {
			reliable = 0;
		} else if (!rest[n] && looks_like_srcloc(rest, n)) {
			/* already symbolized by the producer (syzkaller) */
			tmp.srcloc = xstrndup(rest, n);
		} else {
			frame_clear(&tmp);
			return 0;
		}
	}
	tmp.reliable = (unsigned)reliable;
	if (nbr) {
		tmp.has_addr = 1;
		tmp.addr = addr;
	}
	*f = tmp;
	return 1;
}

/* "(name)" or "(name+0x1/0x2 [mod])" */
static const char *parse_paren_sym(const char *s, struct frame *f)
{
	const char *p, *e;

	if (*s != '(')
		return NULL;
	s++;
	p = parse_symref(s, f);
	if (!p) {
		e = s;
		while (is_symch((unsigned char)*e))
			e++;
		if (e == s)
			return NULL;
		f->func = xstrndup(s, (size_t)(e - s));
		p = e;
		while (*p == ' ')
			p++;
		if (*p == '[') {
			const char *m = p + 1, *me = m;

			while (is_modch((unsigned char)*me))
				me++;
			if (me > m && *me == ']') {
				f->module = xstrndup(m, (size_t)(me - m));
				p = me + 1;
			}
		}
	}
	if (*p != ')') {
		frame_clear(f);
		return NULL;
	}
	return p + 1;
}

int parse_arm_backtrace(const char *msg, struct frame *callee,
			struct frame *caller)
{
	const char *s = skip_spaces(msg), *p;
	unsigned long long a1, a2;
	struct frame c1, c2;

	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	p = parse_bracket_addr(s, &a1);
	if (!p)
		return 0;
	p = parse_paren_sym(skip_spaces(p), &c1);
	if (!p)
		return 0;
	p = skip_spaces(p);
	if (!starts_with(p, "from "))
		goto fail;
	p = parse_bracket_addr(skip_spaces(p + 5), &a2);
	if (!p)
		goto fail;
	p = parse_paren_sym(skip_spaces(p), &c2);
	if (!p)
		goto fail;
	if (*skip_spaces(p))
		goto fail2;
	c1.has_addr = c2.has_addr = 1;
	c1.addr = a1;
	c2.addr = a2;
	c1.reliable = c2.reliable = 1;
	*callee = c1;
	*caller = c2;
	return 1;
fail2:
	frame_clear(&c2);
fail:
	frame_clear(&c1);
	return 0;
}

void base_name(const char *func, char *out, unsigned long outlen)
{
	size_t n = strcspn(func, ".");

	if (!outlen)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, func, n);
	out[n] = '\0';
}

int looks_like_srcloc(const char *s, unsigned long n)
{
	const char *colon = memchr(s, ':', n);

	return colon && colon > s && colon + 1 < s + n &&
	       isdigit((unsigned char)colon[1]) &&
	       memchr(s, '.', (size_t)(colon - s)) != NULL;
}
