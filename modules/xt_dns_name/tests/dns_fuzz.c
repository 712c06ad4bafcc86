// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the shared DNS parser. The input is a UDP payload.
 * Besides memory errors (ASan/UBSan) it checks the parser against a naive
 * flat-buffer reference, across accessors, UDP length bounds, captures cut
 * short and TCP segments, for exact and suffix names with and without
 * QTYPEs, and the name and QTYPE codecs' round trips. Any disagreement
 * aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_parse.h"
#include "dns_name_text.h"
#include "test_access.h"
#include "xt_dns_name.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
	abort(); } } while (0)

/* A question as the reference reads it. */
struct ref_q {
	uint8_t name[256];	/* folded wire form */
	size_t len;
	uint8_t label[256];	/* label[i]: a label starts at i */
	unsigned int qtype;
};

/*
 * Read the question at *pos of a message of n bytes of which the first
 * avail are present. Return 1, 0 if malformed, -1 if it needs a missing
 * byte.
 */
static int ref_question(const uint8_t *d, size_t n, size_t avail,
			size_t *pos, struct ref_q *q)
{
	size_t i, c;

	q->len = 0;
	memset(q->label, 0, sizeof(q->label));
	for (;;) {
		if (*pos >= n)
			return 0;
		if (*pos >= avail)
			return -1;
		c = d[*pos];
		if (c >= 64 || q->len + 1 + c > 255)
			return 0;
		if (*pos + c >= n)
			return 0;
		if (*pos + c >= avail)
			return -1;
		q->label[q->len] = 1;
		for (i = 0; i <= c; i++)
			q->name[q->len++] = dns_fold(d[*pos + i]);
		*pos += 1 + c;
		if (!c)
			break;
	}
	if (*pos + 4 > n)
		return 0;
	if (*pos + 4 > avail)
		return -1;
	q->qtype = d[*pos] << 8 | d[*pos + 1];
	*pos += 4;
	return 1;
}

static int ref_asked(const struct ref_q *q, const struct dns_rule *r)
{
	size_t start;
	unsigned int i;
	int type_ok = !r->qtype_count;

	for (i = 0; i < r->qtype_count; i++)
		if (r->qtypes[i] == q->qtype)
			type_ok = 1;
	if (!type_ok)
		return 0;
	if (!r->suffix)
		return q->len == r->name_len &&
		       !memcmp(q->name, r->name, q->len);
	if (q->len < r->name_len)
		return 0;
	start = q->len - r->name_len;
	return q->label[start] && !memcmp(q->name + start, r->name,
					  r->name_len);
}

static enum dns_verdict ref_check(const uint8_t *d, size_t n, size_t avail,
				  const struct dns_rule *r)
{
	struct ref_q q;
	size_t pos = 12;
	unsigned int qd;
	int res;

	if (n < 12)
		return DNS_NOT_QUERY;
	if (avail < 12)
		return DNS_TRUNCATED;
	if (d[2] & 0xf8)
		return DNS_NOT_QUERY;
	for (qd = d[4] << 8 | d[5]; qd; qd--) {
		res = ref_question(d, n, avail, &pos, &q);
		if (res < 0)
			return DNS_TRUNCATED;
		if (!res)
			break;
		if (ref_asked(&q, r))
			return DNS_NAME_FOUND;
	}
	return DNS_NAME_ABSENT;
}

/* The message as a TCP segment, its length prefix saying @msg_len. */
static void check_tcp(const uint8_t *data, size_t size, unsigned int msg_len,
		      const struct dns_rule *r)
{
	size_t hl = 20, seg_len = hl + 2 + size;
	uint8_t *seg = calloc(1, seg_len);
	struct flat_buf fb = { seg, (unsigned int)seg_len };
	size_t avail = msg_len < size ? msg_len : size;

	CHECK(seg);
	seg[2] = 0;
	seg[3] = 53;
	seg[12] = 5 << 4;
	seg[hl] = msg_len >> 8;
	seg[hl + 1] = msg_len & 0xff;
	memcpy(seg + hl + 2, data, size);
	CHECK(dns_tcp_check(flat_get, &fb, 0, fb.len, fb.len, r) ==
	      ref_check(data, msg_len, avail, r));
	free(seg);
}

static void check_rule(const uint8_t *data, size_t size,
		       const struct dns_rule *rule)
{
	struct flat_buf fb = { data, (unsigned int)size };
	struct chunk_buf cb = { fb, 1 + (size ? data[size - 1] % 13 : 0) };
	unsigned int cut = size ? data[0] % (size + 1) : 0;
	struct flat_buf part = { data, cut };
	uint8_t *udp;
	enum dns_verdict want = ref_check(data, size, size, rule);

	CHECK(dns_msg_check(flat_get, &fb, 0, size, size, rule) == want);
	CHECK(dns_msg_check(chunk_get, &cb, 0, size, size, rule) == want);
	/* A UDP length that hides the tail acts as a shorter message. */
	CHECK(dns_msg_check(flat_get, &part, 0, cut, cut, rule) ==
	      ref_check(data, cut, cut, rule));
	/* A capture that kept only the first cut bytes. */
	CHECK(dns_msg_check(flat_get, &part, 0, size, cut, rule) ==
	      ref_check(data, size, cut, rule));
	if (size + 22 > 0xffff)
		return;
	/* TCP: the whole message, one that goes on past the segment. */
	check_tcp(data, size, (unsigned int)size, rule);
	check_tcp(data, size, cut + (size ? data[size / 2] : 0), rule);
	udp = malloc(size + DNS_UDP_HDR_LEN);
	CHECK(udp);
	memcpy(udp, "\x30\x39\x00\x35", 4);
	udp[4] = (size + DNS_UDP_HDR_LEN) >> 8;
	udp[5] = (size + DNS_UDP_HDR_LEN) & 0xff;
	udp[6] = udp[7] = 0;
	memcpy(udp + DNS_UDP_HDR_LEN, data, size);
	fb.data = udp;
	fb.len = size + DNS_UDP_HDR_LEN;
	CHECK(dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, rule) == want);
	/* The same packet, captured up to byte cut of the message. */
	fb.len = cut + DNS_UDP_HDR_LEN;
	CHECK(dns_udp_check(flat_get, &fb, 0, size + DNS_UDP_HDR_LEN, fb.len,
			    rule) == ref_check(data, size, cut, rule));
	fb.len = size + DNS_UDP_HDR_LEN;
	/* A UDP length beyond the packet: the packet's end bounds it. */
	udp[4] = 0xff;
	CHECK(dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, rule) == want);
	/* A shorter one hides the tail. */
	udp[4] = (cut + DNS_UDP_HDR_LEN) >> 8;
	udp[5] = (cut + DNS_UDP_HDR_LEN) & 0xff;
	CHECK(dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, rule) ==
	      ref_check(data, cut, cut, rule));
	free(udp);
}

/* @wire exact and as a suffix, with no QTYPE and with @qtype. */
static void check_name(const uint8_t *data, size_t size, const uint8_t *wire,
		       unsigned short qtype)
{
	struct dns_rule r = { wire, dns_name_wire_len(wire), 0, &qtype, 0 };
	unsigned int s, t;

	for (s = 0; s < 2; s++) {
		for (t = 0; t < 2; t++) {
			r.suffix = s;
			r.qtype_count = t;
			check_rule(data, size, &r);
		}
	}
}

static void check_codec(const uint8_t *data, size_t size)
{
	uint8_t field[XT_DNS_NAME1_SIZE] = { 0 }, again[XT_DNS_NAME1_SIZE];
	unsigned short types[XT_DNS_QTYPE_MAX], types2[XT_DNS_QTYPE_MAX];
	char text[1100], err[256];
	int n, m;

	/* Arbitrary field: only a valid one may round-trip, and must. */
	memcpy(field, data, size < sizeof(field) ? size : sizeof(field));
	if (dns_name_check(field, sizeof(field)) == DNS_NAME_OK) {
		dns_name_decode(field, sizeof(field), text, sizeof(text));
		CHECK(dns_name_encode(text, again, sizeof(again), err,
				      sizeof(err)) ==
		      (int)dns_name_wire_len(field));
		CHECK(!memcmp(field, again, sizeof(field)));
	}
	if (size >= sizeof(text))
		return;
	memcpy(text, data, size);
	text[size] = 0;
	/* Arbitrary text: whatever encodes must pass the kernel's check. */
	n = dns_name_encode(text, field, sizeof(field), err, sizeof(err));
	if (n > 0) {
		CHECK(dns_name_check(field, sizeof(field)) == DNS_NAME_OK);
		CHECK(n == (int)dns_name_wire_len(field));
	}
	/* A QTYPE list that parses prints back to the same list. */
	n = dns_qtype_list_parse(text, types, XT_DNS_QTYPE_MAX, err,
				 sizeof(err));
	if (n > 0) {
		dns_qtype_list_format(types, n, text, sizeof(text));
		m = dns_qtype_list_parse(text, types2, XT_DNS_QTYPE_MAX, err,
					 sizeof(err));
		CHECK(m == n && !memcmp(types, types2, n * sizeof(types[0])));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed[][16] = {
		"\x07" "example" "\x03" "com",
		"\x01" "a",
	};
	uint8_t rule[XT_DNS_NAME1_SIZE];
	unsigned short qtype = size ? data[size - 1] % 3 : 1;
	struct ref_q q;
	size_t pos = 12, i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		memset(rule, 0, sizeof(rule));
		memcpy(rule, fixed[i], sizeof(fixed[i]));
		check_name(data, size, rule, qtype);
	}
	/*
	 * The first question's own name and type, then its last labels as a
	 * suffix, so that the found paths are exercised.
	 */
	if (size >= 12 && ref_question(data, size, size, &pos, &q) > 0) {
		memset(rule, 0, sizeof(rule));
		memcpy(rule, q.name, q.len);
		if (dns_name_check(rule, sizeof(rule)) == DNS_NAME_OK) {
			check_name(data, size, rule, q.qtype);
			for (i = q.len - 1; i > 0 && !q.label[i]; i--)
				;
			for (i = i ? i - 1 : 0; i > 0 && !q.label[i]; i--)
				;
			memset(rule, 0, sizeof(rule));
			memcpy(rule, q.name + i, q.len - i);
			if (dns_name_check(rule, sizeof(rule)) == DNS_NAME_OK)
				check_name(data, size, rule, q.qtype);
		}
	}
	check_codec(data, size);
	return 0;
}
