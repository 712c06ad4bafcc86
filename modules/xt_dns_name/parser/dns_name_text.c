// SPDX-License-Identifier: GPL-2.0
/* Text <-> wire format for rule names; see dns_name_text.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_parse.h"
#include "dns_name_text.h"

int dns_name_encode(const char *text, unsigned char *wire, size_t size,
		    char *err, size_t errlen)
{
	size_t tlen = strlen(text), start = 0, i, n, out = 0;

	memset(wire, 0, size);
	/* One trailing dot names the same (absolute) name. */
	if (tlen > 0 && text[tlen - 1] == '.')
		tlen--;
	if (tlen == 0) {
		snprintf(err, errlen, "empty name");
		return -1;
	}
	for (i = 0; i < tlen; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '.')
			continue;
		if (dns_label_char_ok(dns_fold(c)))
			continue;
		if (c >= 0x20 && c < 0x7f)
			snprintf(err, errlen, "invalid character '%c' (only "
				 "letters, digits, '-' and '_' are allowed)", c);
		else
			snprintf(err, errlen, "invalid character 0x%02x (only "
				 "letters, digits, '-' and '_' are allowed)", c);
		return -1;
	}
	while (start <= tlen) {
		const char *dot = memchr(text + start, '.', tlen - start);

		n = dot ? (size_t)(dot - text) - start : tlen - start;
		if (n == 0) {
			snprintf(err, errlen, "empty label (leading dot or "
				 "two dots in a row)");
			goto fail;
		}
		if (n > DNS_LABEL_MAX) {
			snprintf(err, errlen, "label '%.*s' is %zu octets long, "
				 "at most %d are allowed", (int)n, text + start,
				 n, DNS_LABEL_MAX);
			goto fail;
		}
		if (out + 1 + n + 1 <= size) {
			wire[out] = (unsigned char)n;
			for (i = 0; i < n; i++)
				wire[out + 1 + i] = dns_fold(text[start + i]);
		}
		out += 1 + n;
		start += n + 1;
	}
	out++;	/* root label, already zero */
	if (out > size) {
		snprintf(err, errlen, "name is too long: %zu octets in wire "
			 "format, at most %zu fit", out, size);
		goto fail;
	}
	return (int)out;
fail:
	/* Leave no half-encoded name behind. */
	memset(wire, 0, size);
	return -1;
}

void dns_name_decode(const unsigned char *wire, size_t size,
		     char *text, size_t textlen)
{
	size_t pos = 0, used = 0, i;
	int w;

	if (textlen == 0)
		return;
	text[0] = '\0';
	while (pos < size && wire[pos] && !(wire[pos] & 0xc0)) {
		size_t n = wire[pos];

		if (pos > 0 && used + 1 < textlen)
			text[used++] = '.';
		for (i = 1; i <= n && pos + i < size; i++) {
			unsigned char c = wire[pos + i];

			if (dns_label_char_ok(c))
				w = snprintf(text + used, textlen - used, "%c", c);
			else
				w = snprintf(text + used, textlen - used,
					     "\\%03u", c);
			if (w < 0 || (size_t)w >= textlen - used) {
				text[used] = '\0';
				return;
			}
			used += (size_t)w;
		}
		pos += 1 + n;
	}
	text[used] = '\0';
}

/* NOT IN THE LAB: --qtype lists (revision 1) */
static const struct {
	const char *name;
	unsigned short type;
} dns_qtypes[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 },
	{ "HTTPS", 65 }, { "ANY", 255 },
};
#define DNS_QTYPES (sizeof(dns_qtypes) / sizeof(dns_qtypes[0]))

static int qtype_item(const char *item, size_t n, unsigned short *type,
		      char *err, size_t errlen)
{
	char buf[16];
	unsigned long v;
	size_t i;

	if (n == 0) {
		snprintf(err, errlen, "empty QTYPE in the list");
		return -1;
	}
	if (n >= sizeof(buf)) {
		snprintf(err, errlen, "unknown QTYPE '%.*s'", (int)n, item);
		return -1;
	}
	memcpy(buf, item, n);
	buf[n] = '\0';
	if (strspn(buf, "0123456789") == n) {
		v = strtoul(buf, NULL, 10);
		if (v == 0 || v > 65535) {
			snprintf(err, errlen, "QTYPE %s is out of range "
				 "(1-65535)", buf);
			return -1;
		}
		*type = (unsigned short)v;
		return 0;
	}
	for (i = 0; i < DNS_QTYPES; i++) {
		if (!strcasecmp(buf, dns_qtypes[i].name)) {
			*type = dns_qtypes[i].type;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown QTYPE '%s' (known: A AAAA MX TXT NS "
		 "CNAME SOA PTR SRV HTTPS ANY, or a number)", buf);
	return -1;
}

int dns_qtype_list_parse(const char *text, unsigned short *qtypes,
			 unsigned int max, char *err, size_t errlen)
{
	unsigned int count = 0, i;
	unsigned short type;
	const char *comma;
	size_t n;

	for (;;) {
		comma = strchr(text, ',');
		n = comma ? (size_t)(comma - text) : strlen(text);
		if (qtype_item(text, n, &type, err, errlen) < 0)
			return -1;
		for (i = 0; i < count; i++) {
			if (qtypes[i] == type) {
				snprintf(err, errlen, "QTYPE '%.*s' is listed "
					 "twice", (int)n, text);
				return -1;
			}
		}
		if (count == max) {
			snprintf(err, errlen, "more than %u QTYPEs", max);
			return -1;
		}
		qtypes[count++] = type;
		if (!comma)
			return (int)count;
		text = comma + 1;
	}
}

void dns_qtype_list_format(const unsigned short *qtypes, unsigned int n,
			   char *text, size_t textlen)
{
	size_t used = 0, j;
	unsigned int i;
	int w;

	if (textlen == 0)
		return;
	text[0] = '\0';
	for (i = 0; i < n; i++) {
		for (j = 0; j < DNS_QTYPES; j++)
			if (dns_qtypes[j].type == qtypes[i])
				break;
		if (j < DNS_QTYPES)
			w = snprintf(text + used, textlen - used, "%s%s",
				     i ? "," : "", dns_qtypes[j].name);
		else
			w = snprintf(text + used, textlen - used, "%s%u",
				     i ? "," : "", qtypes[i]);
		if (w < 0 || (size_t)w >= textlen - used)
			return;
		used += (size_t)w;
	}
}
/* NOT IN THE LAB end */
