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

static void strip_line(char *line, struct logline *ll)
{
	char *p = line, *e;
	int ts = 0;

	while (*p == '\r')
		p++;
	p = skip_facility(skip_level(p));
	p = skip_syslog(p);
	p = skip_iso_time(p, &ts);
	if (!ts)
		p = skip_timestamp(p, &ts);
	p = skip_caller(p, ll->cid, sizeof(ll->cid));
	/* printk puts exactly one space between prefix and message; frame
	 * lines keep their own indentation after it. */
	if ((ts || ll->cid[0]) && *p == ' ')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	ll->msg = p;
	ll->has_ts = (unsigned char)ts;
}

void logtext_split(struct logtext *lt, const char *data, size_t len)
{
	size_t i, cap = 0, start = 0;
	void *arr = NULL;

	memset(lt, 0, sizeof(*lt));
	lt->buf = xmalloc(len + 1);
	memcpy(lt->buf, data, len);
	lt->buf[len] = '\0';
	/* Binary garbage must not end lines early for string functions. */
	for (i = 0; i < len; i++)
		if (lt->buf[i] == '\0')
			lt->buf[i] = ' ';
	for (i = 0; i <= len; i++) {
		struct logline *ll;

		if (i < len && lt->buf[i] != '\n')
			continue;
		if (i == len && start == len)
			break;  /* no empty line after a final newline */
		lt->buf[i] = '\0';
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
