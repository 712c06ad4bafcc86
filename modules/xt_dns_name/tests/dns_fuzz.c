// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the shared DNS parser. The input is a UDP payload.
 * Besides memory errors (ASan/UBSan) it checks the parser against a naive
 * flat-buffer reference, across accessors, UDP length bounds and captures
 * cut short, and the name codec's round trip. Any disagreement aborts.
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

/*
 * Read the question at *pos of a message of n bytes of which the first
 * avail are present into @out (folded wire form, 256 bytes). Return its
 * length, 0 if malformed, -1 if it needs a missing byte.
 */
static int ref_question(const uint8_t *d, size_t n, size_t avail,
			size_t *pos, uint8_t *out)
{
	size_t len = 0, i, c;

	for (;;) {
		if (*pos >= n)
			return 0;
		if (*pos >= avail)
			return -1;
		c = d[*pos];
		if (c >= 64 || len + 1 + c > 255)
			return 0;
		if (*pos + c >= n)
			return 0;
		if (*pos + c >= avail)
			return -1;
		for (i = 0; i <= c; i++)
			out[len++] = dns_fold(d[*pos + i]);
		*pos += 1 + c;
		if (!c)
			break;
	}
	if (*pos + 4 > n)
		return 0;
	if (*pos + 4 > avail)
		return -1;
	*pos += 4;
	return (int)len;
}

static enum dns_verdict ref_check(const uint8_t *d, size_t n, size_t avail,
				  const uint8_t *rule)
{
	uint8_t q[256];
	size_t pos = 12, rlen = 0;
	unsigned int qd;
	int qlen;

	if (n < 12)
		return DNS_NOT_QUERY;
	if (avail < 12)
		return DNS_TRUNCATED;
	if (d[2] & 0xf8)
		return DNS_NOT_QUERY;
	while (rule[rlen])
		rlen += 1 + rule[rlen];
	rlen++;
	for (qd = d[4] << 8 | d[5]; qd; qd--) {
		qlen = ref_question(d, n, avail, &pos, q);
		if (qlen < 0)
			return DNS_TRUNCATED;
		if (!qlen)
			break;
		if ((size_t)qlen == rlen && !memcmp(q, rule, rlen))
			return DNS_NAME_FOUND;
	}
	return DNS_NAME_ABSENT;
}

static void check_rule(const uint8_t *data, size_t size, const uint8_t *wire)
{
	struct dns_rule rule = { wire, dns_name_wire_len(wire) };
	struct flat_buf fb = { data, (unsigned int)size };
	struct chunk_buf cb = { fb, 1 + (size ? data[size - 1] % 13 : 0) };
	unsigned int cut = size ? data[0] % (size + 1) : 0;
	struct flat_buf part = { data, cut };
	uint8_t *udp;
	enum dns_verdict want = ref_check(data, size, size, wire);

	CHECK(dns_msg_check(flat_get, &fb, 0, size, size, &rule) == want);
	CHECK(dns_msg_check(chunk_get, &cb, 0, size, size, &rule) == want);
	/* A UDP length that hides the tail acts as a shorter message. */
	CHECK(dns_msg_check(flat_get, &part, 0, cut, cut, &rule) ==
	      ref_check(data, cut, cut, wire));
	/* A capture that kept only the first cut bytes. */
	CHECK(dns_msg_check(flat_get, &part, 0, size, cut, &rule) ==
	      ref_check(data, size, cut, wire));
	if (size + DNS_UDP_HDR_LEN > 0xffff)
		return;
	udp = malloc(size + DNS_UDP_HDR_LEN);
	CHECK(udp);
	memcpy(udp, "\x30\x39\x00\x35", 4);
	udp[4] = (size + DNS_UDP_HDR_LEN) >> 8;
	udp[5] = (size + DNS_UDP_HDR_LEN) & 0xff;
	udp[6] = udp[7] = 0;
	memcpy(udp + DNS_UDP_HDR_LEN, data, size);
	fb.data = udp;
	fb.len = size + DNS_UDP_HDR_LEN;
	CHECK(dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, &rule) == want);
	/* The same packet, captured up to byte cut of the message. */
	fb.len = cut + DNS_UDP_HDR_LEN;
	CHECK(dns_udp_check(flat_get, &fb, 0, size + DNS_UDP_HDR_LEN, fb.len,
			    &rule) == ref_check(data, size, cut, wire));
	fb.len = size + DNS_UDP_HDR_LEN;
	/* A UDP length beyond the packet: the packet's end bounds it. */
	udp[4] = 0xff;
	CHECK(dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, &rule) == want);
	/* A shorter one hides the tail. */
	udp[4] = (cut + DNS_UDP_HDR_LEN) >> 8;
	udp[5] = (cut + DNS_UDP_HDR_LEN) & 0xff;
	CHECK(dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, &rule) ==
	      ref_check(data, cut, cut, wire));
	free(udp);
}

static void check_codec(const uint8_t *data, size_t size)
{
	uint8_t field[XT_DNS_NAME_SIZE] = { 0 }, again[XT_DNS_NAME_SIZE];
	char text[600], err[256];

	/* Arbitrary field: only a valid one may round-trip, and must. */
	memcpy(field, data, size < sizeof(field) ? size : sizeof(field));
	if (dns_name_check(field, sizeof(field)) == DNS_NAME_OK) {
		dns_name_decode(field, sizeof(field), text, sizeof(text));
		CHECK(dns_name_encode(text, again, sizeof(again), err,
				      sizeof(err)) > 0);
		CHECK(!memcmp(field, again, sizeof(field)));
	}
	/* Arbitrary text: whatever encodes must pass the kernel's check. */
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = 0;
		if (dns_name_encode(text, field, sizeof(field), err,
				    sizeof(err)) > 0)
			CHECK(dns_name_check(field, sizeof(field)) ==
			      DNS_NAME_OK);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed[][16] = {
		"\x07" "example" "\x03" "com",
		"\x01" "a",
	};
	uint8_t rule[XT_DNS_NAME_SIZE], q[256];
	size_t pos = 12, i;
	int qlen;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		memset(rule, 0, sizeof(rule));
		memcpy(rule, fixed[i], sizeof(fixed[i]));
		check_rule(data, size, rule);
	}
	/* The first question's own name, so the found path is exercised. */
	if (size >= 12) {
		qlen = ref_question(data, size, size, &pos, q);
		if (qlen > 0 && (size_t)qlen <= sizeof(rule)) {
			memset(rule, 0, sizeof(rule));
			memcpy(rule, q, qlen);
			if (dns_name_check(rule, sizeof(rule)) == DNS_NAME_OK)
				check_rule(data, size, rule);
		}
	}
	check_codec(data, size);
	return 0;
}
