#include "logtext.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* "<4>" printk level as written by dmesg -r or raw serial consoles. */
static char *skip_level(char *p)
{
	char *q = p;

	if (*q != '<')
		return p;
	q++;
	if (!isdigit((unsigned char)*q))
		return p;
	while (isdigit((unsigned char)*q))
		q++;
	return *q == '>' ? q + 1 : p;
}

/* "Mar  1 10:00:00 host kernel: " (syslog/journal). Only taken when the
 * prefix really contains a hh:mm:ss time, so ordinary messages that happen
 * to contain "kernel: " are left alone. */
static char *skip_syslog(char *p)
{
	char *k = strstr(p, " kernel: ");
	char *q;

	if (!k || k - p > 80)
		return p;
	for (q = p; q + 8 <= k; q++) {
		if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
		    q[2] == ':' && isdigit((unsigned char)q[3]) &&
		    isdigit((unsigned char)q[4]) && q[5] == ':' &&
		    isdigit((unsigned char)q[6]) && isdigit((unsigned char)q[7]))
			return k + 9;
	}
	return p;
}

static char *skip_digits(char *q)
{
	while (isdigit((unsigned char)*q))
		q++;
	return q;
}

/* "[   12.345678]", dmesg -d "[   12.345678 <    0.000010>]", dmesg -r
 * "[  +0.000010]" and dmesg -T "[Mon Mar  1 10:00:00 2021]". */
static char *skip_timestamp(char *p, int *has_ts)
{
	char *q = p + 1, *e;

	if (*p != '[')
		return p;
	if (isupper((unsigned char)*q)) {
		e = strchr(q, ']');
		if (!e || e - q > 32 || e - q < 20 || e[-5] != ' ' ||
		    !isdigit((unsigned char)e[-1]) || !strchr(q, ':'))
			return p;
		*has_ts = 1;
		return e + 1;
	}
	while (*q == ' ')
		q++;
	if (*q == '+')
		q++;
	if (!isdigit((unsigned char)*q))
		return p;
	q = skip_digits(q);
	if (*q != '.' || !isdigit((unsigned char)q[1]))
		return p;
	q = skip_digits(q + 1);
	if (*q == ' ') {
		e = strchr(q, '>');
		if (!e || e - q > 24 || e[1] != ']')
			return p;
		q = e + 1;
	}
	if (*q != ']')
		return p;
	*has_ts = 1;
	return q + 1;
}

/* dmesg --time-format=iso: "2021-03-01T10:00:00,123456+00:00 " */
static char *skip_iso_time(char *p, int *has_ts)
{
	char *sp;

	if (strnlen(p, 14) < 14 || !isdigit((unsigned char)p[0]) ||
	    !isdigit((unsigned char)p[3]) ||
	    p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':')
		return p;
	sp = strchr(p, ' ');
	if (!sp || sp - p > 40)
		return p;
	*has_ts = 1;
	return sp + 1;
}

/* dmesg -x: "kern  :err   : " */
static char *skip_facility(char *p)
{
	static const char *const fac[] = { "kern", "user", "daemon", "syslog",
					   NULL };
	char *q;
	int i;

	for (i = 0; fac[i]; i++)
		if (starts_with(p, fac[i]))
			break;
	if (!fac[i])
		return p;
	q = p + strlen(fac[i]);
	while (*q == ' ')
		q++;
	if (*q++ != ':')
		return p;
	while (islower((unsigned char)*q))
		q++;
	while (*q == ' ')
		q++;
	if (*q != ':')
		return p;
	q++;
	return *q == ' ' ? q + 1 : q;
}

/* "[ T123]" / "[    C1]" printk caller id. */
static char *skip_caller(char *p, char *cid, size_t cidlen)
{
	char *q = p, *start;
	size_t n;

	if (*q == ' ' && q[1] == '[')
		q++;
	if (*q != '[')
		return p;
	q++;
	while (*q == ' ')
		q++;
	start = q;
	if (*q != 'T' && *q != 'C')
		return p;
	q++;
	if (!isdigit((unsigned char)*q))
		return p;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q != ']')
		return p;
	n = (size_t)(q - start);
	if (n >= cidlen)
		n = cidlen - 1;
	memcpy(cid, start, n);
	cid[n] = '\0';
	return q + 1;
}

/* ESC at p: skips one terminal escape sequence (CSI "\x1b[0m", OSC up to
 * BEL or ESC \, or a two-byte ESC x). */
static char *skip_escape(char *p)
{
	unsigned char *q = (unsigned char *)p + 1;

	if (*q == '[') {
		/* parameter and intermediate bytes, then one final byte */
		for (q++; *q >= 0x20 && *q <= 0x3f; q++)
			;
		if (*q >= 0x40 && *q <= 0x7e)
			q++;
	} else if (*q == ']') {
		for (q++; *q && *q != '\a' && !(q[0] == 0x1b && q[1] == '\\'); q++)
			;
		q += *q == '\a' ? 1 : *q ? 2 : 0;
	} else if (*q >= 0x20 && *q <= 0x7e) {
		q++;
	}
	return (char *)q;
}

/* Bytes a serial console may put before a line or its message: escape
 * sequences and control bytes (NULs are spaces by now); spaces too if
 * also_spaces. */
static char *skip_junk(char *p, int also_spaces)
{
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == 0x1b)
			p = skip_escape(p);
		else if ((c && c < 0x20 && c != '\t') || c == 0x7f ||
			 (also_spaces && c == ' '))
			p++;
		else
			return p;
	}
}

/* Level, syslog header, timestamp, caller id: returns the message start
 * (p itself when there is no such prefix). */
static char *strip_prefix(char *p, struct logline *ll, int *ts)
{
	char *start = p;

	*ts = 0;
	ll->cid[0] = '\0';
	p = skip_facility(skip_level(p));
	p = skip_syslog(p);
	p = skip_iso_time(p, ts);
	if (!*ts)
		p = skip_timestamp(p, ts);
	p = skip_caller(p, ll->cid, sizeof(ll->cid));
	if (p == start)
		return p;
	/* printk puts exactly one space between prefix and message; frame
	 * lines keep their own indentation after it. */
	p = skip_junk(p, 0);
	if ((*ts || ll->cid[0]) && *p == ' ')
		p++;
	return skip_junk(p, 0);
}

static void strip_line(char *line, struct logline *ll)
{
	char *p = skip_junk(line, 0), *q = skip_junk(p, 1), *m = q, *e;
	int ts = 0;

	/* One stray byte before the timestamp must not hide the line; plain
	 * leading spaces are indentation unless a prefix follows them. */
	if (q != p)
		m = strip_prefix(q, ll, &ts);
	if (m == q)
		m = strip_prefix(p, ll, &ts);
	e = m + strlen(m);
	while (e > m && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	ll->msg = m;
	ll->has_ts = (unsigned char)ts;
}

/* Line ends: LF, CR LF (also CR CR LF, as some serial consoles write) and
 * a lone CR, the only separator of some captures. */
void logtext_split(struct logtext *lt, const char *data, size_t len)
{
	size_t i, j, end, cap = 0, start = 0, crs_end = 0;
	void *arr = NULL;
	int lead;

	memset(lt, 0, sizeof(*lt));
	lt->buf = xmalloc(len + 1);
	memcpy(lt->buf, data, len);
	lt->buf[len] = '\0';
	/* Binary garbage must not end lines early for string functions: a NUL
	 * is a space, or, among the control bytes a line starts with, one
	 * more control byte for strip_line to drop (not indentation). */
	for (i = 0, lead = 1; i < len; i++) {
		unsigned char c = (unsigned char)lt->buf[i];

		if (c == '\n' || c == '\r')
			lead = 1;
		else if (!c)
			lt->buf[i] = lead ? '\x01' : ' ';
		else if ((c >= 0x20 || c == '\t') && c != 0x7f)
			lead = 0;
	}
	for (i = 0; i <= len; i++) {
		struct logline *ll;

		if (i < len && lt->buf[i] != '\n' && lt->buf[i] != '\r')
			continue;
		if (i == len && start == len)
			break;  /* no empty line after a final newline */
		end = i;
		/* a run of CRs is looked at once, not again from each CR */
		if (i < len && lt->buf[i] == '\r' && i >= crs_end) {
			for (j = i; j < len && lt->buf[j] == '\r'; j++)
				;
			if (j < len && lt->buf[j] == '\n')
				i = j;
			else
				crs_end = j;
		}
		lt->buf[end] = '\0';
		grow_array(&arr, &cap, lt->n + 1, sizeof(struct logline));
		lt->lines = arr;
		ll = &lt->lines[lt->n++];
		memset(ll, 0, sizeof(*ll));
		strip_line(lt->buf + start, ll);
		if (ll->has_ts)
			lt->any_ts = 1;
		start = i + 1;
	}
	lt->lines = arr;
}

void logtext_free(struct logtext *lt)
{
	free(lt->buf);
	free(lt->lines);
	memset(lt, 0, sizeof(*lt));
}
