// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the shared DNS parser and name codec. Prints TAP lines
 * ("ok - ..." / "not ok - ...") and exits 1 on any failure.
 * With "--seeds DIR" it writes every test message there as a fuzz seed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_parse.h"
#include "dns_name_text.h"
#include "test_access.h"
#include "xt_dns_name.h"

#define M(s)	s, sizeof(s) - 1
#define HDR(b2, qd) "\x12\x34" b2 "\x00" "\x00" qd "\x00\x00\x00\x00\x00\x00"
#define Q0	HDR("\x01", "\x00")
#define Q1	HDR("\x01", "\x01")
#define Q2	HDR("\x01", "\x02")
#define EXCOM	"\x07" "example" "\x03" "com" "\x00"
#define TC	"\x00\x01\x00\x01"	/* QTYPE A, QCLASS IN */

enum {
	NQ = DNS_NOT_QUERY, CUT = DNS_TRUNCATED, NO = DNS_NAME_ABSENT,
	YES = DNS_NAME_FOUND
};

static int failed, passed;
static const char *seed_dir;
static unsigned int seed_no;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		passed++;
	else
		failed++;
}

static const char *vname(int v)
{
	return v == NQ ? "not-a-query" : v == CUT ? "truncated" :
	       v == NO ? "absent" : "found";
}

static void write_seed(const unsigned char *msg, unsigned int len)
{
	char path[4096];
	FILE *f;

	if (!seed_dir)
		return;
	snprintf(path, sizeof(path), "%s/unit-%04u", seed_dir, seed_no++);
	f = fopen(path, "wb");
	if (!f || fwrite(msg, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

/*
 * Run the parser on @msg (@len bytes present, the UDP length field bounding
 * it to @bound) through the UDP entry point, then the message entry point
 * through every accessor; all must agree. The copies have exactly the bytes
 * present, so ASan/valgrind see any over-read.
 */
static struct dns_rule mkrule(const unsigned char *wire)
{
	struct dns_rule r = { wire, dns_name_wire_len(wire), 0, NULL, 0 };

	return r;
}

static int verdict(const unsigned char *msg, unsigned int len,
		   unsigned int bound, const unsigned char *wire, int *agree)
{
	struct dns_rule rule = mkrule(wire);
	static const unsigned int chunks[] = { 1, 3, 7, 64 };
	unsigned char *copy = malloc(len ? len : 1);
	unsigned char *udp = malloc(len + DNS_UDP_HDR_LEN);
	unsigned int i, ulen = bound + DNS_UDP_HDR_LEN;
	unsigned int mlen = bound < len ? bound : len;
	struct flat_buf fb;
	struct chunk_buf cb;
	int v;

	if (!copy || !udp || ulen > 0xffff)
		abort();
	memcpy(udp, "\xc3\x50\x00\x35", 4);	/* 50000 -> 53 */
	udp[4] = ulen >> 8;
	udp[5] = ulen & 0xff;
	udp[6] = udp[7] = 0;
	memcpy(udp + DNS_UDP_HDR_LEN, msg, len);
	fb.data = udp;
	fb.len = len + DNS_UDP_HDR_LEN;
	v = dns_udp_check(flat_get, &fb, 0, fb.len, fb.len, &rule);

	memcpy(copy, msg, len);
	fb.data = copy;
	fb.len = len;
	*agree = (int)dns_msg_check(flat_get, &fb, 0, mlen, mlen, &rule) == v;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		cb.flat = fb;
		cb.chunk = chunks[i];
		if ((int)dns_msg_check(chunk_get, &cb, 0, mlen, mlen,
				       &rule) != v)
			*agree = 0;
	}
	free(copy);
	free(udp);
	return v;
}

static void encode_rule(const char *text, unsigned char *rule)
{
	char err[256];

	if (dns_name_encode(text, rule, XT_DNS_NAME_SIZE, err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "bad rule name in test: %s: %s\n", text, err);
		exit(2);
	}
}

static void check_msg(const char *desc, const void *msg, unsigned int len,
		      const char *rule_text, int want)
{
	unsigned char rule[XT_DNS_NAME_SIZE];
	int v, agree;

	encode_rule(rule_text, rule);
	write_seed(msg, len);
	v = verdict(msg, len, len, rule, &agree);
	result(v == want && agree, "%s (%s)", desc, rule_text);
	if (v != want)
		printf("# got %s, want %s\n", vname(v), vname(want));
	if (!agree)
		printf("# accessors or UDP entry point disagree\n");
}

static const struct {
	const char *desc;
	const char *msg;
	unsigned int len;
	const char *rule;
	int want;
} cases[] = {
	{ "exact name", M(Q1 EXCOM TC), "example.com", YES },
	{ "mixed case in packet", M(Q1 "\x07" "ExAmPlE" "\x03" "cOM" "\x00"
	  TC), "example.com", YES },
	{ "upper case rule, trailing dot", M(Q1 EXCOM TC), "EXAMPLE.Com.",
	  YES },
	{ "subdomain", M(Q1 "\x03" "www" EXCOM TC), "example.com", NO },
	{ "parent domain", M(Q1 "\x03" "com" "\x00" TC), "example.com", NO },
	{ "superstring in front", M(Q1 "\x0a" "notexample" "\x03" "com"
	  "\x00" TC), "example.com", NO },
	{ "superstring behind", M(Q1 "\x07" "example" "\x09" "community"
	  "\x00" TC), "example.com", NO },
	{ "extra label behind", M(Q1 "\x07" "example" "\x03" "com" "\x04"
	  "evil" "\x00" TC), "example.com", NO },
	{ "root, then a zero QTYPE", M(Q1 EXCOM "\x00" TC), "example.com",
	  YES },
	{ "prefix of the name", M(Q1 "\x07" "example" "\x02" "co" "\x00" TC),
	  "example.com", NO },
	{ "label containing a dot", M(Q1 "\x0b" "example.com" "\x00" TC),
	  "example.com", NO },
	{ "NUL inside a label", M(Q1 "\x07" "exa\0ple" "\x03" "com" "\x00"
	  TC), "example.com", NO },
	{ "NUL label is well formed, next question read",
	  M(Q2 "\x07" "exa\0ple" "\x03" "com" "\x00" TC EXCOM TC),
	  "example.com", YES },
	{ "empty label ends the name early", M(Q1 "\x07" "example" "\x00"
	  "\x03" "com" "\x00" TC), "example.com", NO },
	{ "no root label before the end", M(Q1 "\x07" "example" "\x03" "com"),
	  "example.com", NO },
	{ "no QTYPE and QCLASS", M(Q1 EXCOM), "example.com", NO },
	{ "QTYPE only", M(Q1 EXCOM "\x00\x01"), "example.com", NO },
	{ "QDCOUNT 0", M(Q0 EXCOM TC), "example.com", NO },
	{ "QDCOUNT 2, second matches", M(Q2 "\x03" "org" "\x00" TC EXCOM TC),
	  "example.com", YES },
	{ "QDCOUNT 2, first matches, second malformed",
	  M(Q2 EXCOM TC "\xc0\x0c" TC), "example.com", YES },
	{ "QDCOUNT 2, first malformed stops the search",
	  M(Q2 "\xc0\x0c" TC EXCOM TC), "example.com", NO },
	{ "QDCOUNT 2, second missing", M(Q2 "\x03" "org" "\x00" TC),
	  "example.com", NO },
	{ "QDCOUNT 255", M(HDR("\x01", "\xff") EXCOM TC), "example.com",
	  YES },
	{ "QDCOUNT 65535", M("\x12\x34\x01\x00\xff\xff"
	  "\x00\x00\x00\x00\x00\x00" EXCOM TC), "example.com", YES },
	{ "response (QR=1)", M(HDR("\x81", "\x01") EXCOM TC), "example.com",
	  NQ },
	{ "response, other rule", M(HDR("\x81", "\x01") EXCOM TC), "org", NQ },
	{ "opcode IQUERY", M(HDR("\x08", "\x01") EXCOM TC), "example.com",
	  NQ },
	{ "opcode STATUS", M(HDR("\x10", "\x01") EXCOM TC), "example.com",
	  NQ },
	{ "opcode NOTIFY", M(HDR("\x20", "\x01") EXCOM TC), "example.com",
	  NQ },
	{ "opcode UPDATE", M(HDR("\x28", "\x01") EXCOM TC), "example.com",
	  NQ },
	{ "opcode 15", M(HDR("\x78", "\x01") EXCOM TC), "example.com", NQ },
	{ "AA TC RD RA Z RCODE bits set", M("\x12\x34\x07\xff\x00\x01"
	  "\x00\x00\x00\x00\x00\x00" EXCOM TC), "example.com", YES },
	{ "header only", M(Q1), "example.com", NO },
	{ "header cut short", M("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00"),
	  "example.com", NQ },
	{ "empty message", "", 0, "example.com", NQ },
	{ "self pointer", M(Q1 "\xc0\x0c" TC), "example.com", NO },
	{ "forward pointer", M(Q1 "\xc0\x12" TC EXCOM), "example.com", NO },
	{ "pointer after a label not followed",
	  M(Q2 EXCOM TC "\x03" "www" "\xc0\x0c" TC), "www.example.com", NO },
	{ "reserved label type 01", M(Q1 "\x47" "example" "\x03" "com" "\x00"
	  TC), "example.com", NO },
	{ "reserved label type 10", M(Q1 "\x87" "example" "\x03" "com" "\x00"
	  TC), "example.com", NO },
	{ "reserved label type in second label", M(Q1 "\x07" "example"
	  "\x43" "com" "\x00" TC), "example.com", NO },
	{ "EDNS OPT record in additional section",
	  M("\x12\x34\x01\x20\x00\x01\x00\x00\x00\x00\x00\x01" EXCOM TC
	    "\x00" "\x00\x29" "\x10\x00" "\x00\x00\x00\x00" "\x00\x00"),
	  "example.com", YES },
	{ "trailing data", M(Q1 EXCOM TC "garbage\xc0\x0c\xff"),
	  "example.com", YES },
	{ "case folding is ASCII only (0x7f is not '_')",
	  M(Q1 "\x03" "a\x7f" "b" "\x00" TC), "a_b", NO },
	{ "case folding is ASCII only (0xc9 is not 'i')",
	  M(Q1 "\x03" "a\xc9" "b" "\x00" TC), "aib", NO },
	{ "underscore, digit, hyphen", M(Q1 "\x04" "_dns" "\x05" "X-1_y"
	  "\x00" TC), "_DNS.x-1_Y", YES },
	{ "single-label name", M(Q1 "\x09" "localhost" "\x00" TC),
	  "localhost", YES },
	{ "root name in packet", M(Q1 "\x00" TC), "com", NO },
};

static void test_cases(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_msg(cases[i].desc, cases[i].msg, cases[i].len,
			  cases[i].rule, cases[i].want);
}

/* Append a name of @total wire octets made of labels of up to 63. */
static unsigned int put_long_name(unsigned char *p, unsigned int total)
{
	unsigned int pos = 0, left = total - 1, n;

	while (left) {
		n = left - 1 > DNS_LABEL_MAX ? DNS_LABEL_MAX : left - 1;
		if (left - (n + 1) == 1)	/* avoid a 0-octet tail */
			n--;
		p[pos++] = n;
		memset(p + pos, 'a' + pos % 26, n);
		pos += n;
		left -= n + 1;
	}
	p[pos++] = 0;
	return pos;
}

static void test_lengths(void)
{
	unsigned char msg[1024], rule[XT_DNS_NAME_SIZE];
	char text[600], err[256];
	unsigned int n, total;

	for (total = 254; total <= 257; total++) {
		memcpy(msg, Q2, DNS_HDR_LEN);
		n = DNS_HDR_LEN;
		n += put_long_name(msg + n, total);
		memcpy(msg + n, TC EXCOM TC, 4 + 13 + 4);
		n += 4 + 13 + 4;
		snprintf(text, sizeof(text), total <= 255 ?
			 "%u-octet name well formed, next question read" :
			 "%u-octet name malformed, search stops", total);
		check_msg(text, msg, n, "example.com", total <= 255 ? YES : NO);
	}

	/* The longest rule name: 127 octets in wire format. */
	memcpy(msg, Q1, DNS_HDR_LEN);
	n = DNS_HDR_LEN;
	total = put_long_name(msg + n, XT_DNS_NAME_SIZE);
	dns_name_decode(msg + n, total, text, sizeof(text));
	n += total;
	memcpy(msg + n, TC, 4);
	check_msg("127-octet rule name", msg, n + 4, text, YES);
	if (dns_name_encode(text, rule, sizeof(rule), err, sizeof(err)) !=
	    XT_DNS_NAME_SIZE)
		result(0, "127-octet name encodes to 127 octets");

	/* A 63-octet label and its 64-octet neighbour. */
	memcpy(msg, Q1, DNS_HDR_LEN);
	msg[12] = 63;
	memset(msg + 13, 'q', 63);
	memcpy(msg + 76, "\x00" TC, 5);
	memset(text, 'q', 63);
	text[63] = 0;
	check_msg("63-octet label", msg, 81, text, YES);
	msg[12] = 64;
	memset(msg + 13, 'q', 64);
	memcpy(msg + 77, "\x00" TC, 5);
	check_msg("64-octet label (reserved type) malformed", msg, 82, text,
		  NO);
}

/* Cut a two-question message at every byte, two ways. */
static void test_truncation(void)
{
	static const char full[] = Q2 "\x03" "org" "\x00" TC EXCOM TC;
	unsigned int len = sizeof(full) - 1, cut;
	unsigned char rule[XT_DNS_NAME_SIZE];
	int v, want, agree, bad_bound = 0, bad_data = 0;

	encode_rule("example.com", rule);
	for (cut = 0; cut <= len; cut++) {
		want = cut < DNS_HDR_LEN ? NQ : cut < len ? NO : YES;
		/* UDP length field hides the rest; bytes still present. */
		v = verdict((const unsigned char *)full, len, cut, rule,
			    &agree);
		if (v != want || !agree) {
			bad_bound++;
			printf("# length bound %u: got %s, want %s\n", cut,
			       vname(v), vname(want));
		}
		/* Packet shorter than the UDP length field claims. */
		v = verdict((const unsigned char *)full, cut, len, rule,
			    &agree);
		if (v != want || !agree) {
			bad_data++;
			printf("# data cut at %u: got %s, want %s\n", cut,
			       vname(v), vname(want));
		}
	}
	result(!bad_bound, "UDP length bound at every byte (%u cuts)", len + 1);
	result(!bad_data, "packet truncated at every byte (%u cuts)", len + 1);
}

/*
 * A capture that kept @cut bytes of the message: the verdict is truncated
 * until the question asked for is complete (or, for the second question,
 * until the first one is), whatever the accessor.
 */
static void test_capture_cut(void)
{
	static const char full[] = Q2 "\x03" "org" "\x00" TC EXCOM TC;
	unsigned int len = sizeof(full) - 1, q1_end = 12 + 5 + 4, cut, i;
	unsigned char wire_ex[XT_DNS_NAME_SIZE], wire_org[XT_DNS_NAME_SIZE];
	struct dns_rule ex, org;
	struct flat_buf fb;
	struct chunk_buf cb;
	int v, bad = 0;

	encode_rule("example.com", wire_ex);
	encode_rule("org", wire_org);
	ex = mkrule(wire_ex);
	org = mkrule(wire_org);
	for (cut = 0; cut <= len; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);

		memcpy(copy, full, cut);
		fb.data = copy;
		fb.len = cut;
		for (i = 0; i < 2; i++) {
			cb.flat = fb;
			cb.chunk = 3;
			v = dns_msg_check(i ? chunk_get : flat_get,
					  i ? (void *)&cb : (void *)&fb, 0, len,
					  cut, &ex);
			if (v != (cut < len ? CUT : YES)) {
				bad++;
				printf("# example.com, cut at %u: got %s\n",
				       cut, vname(v));
			}
			v = dns_msg_check(i ? chunk_get : flat_get,
					  i ? (void *)&cb : (void *)&fb, 0, len,
					  cut, &org);
			if (v != (cut < q1_end ? CUT : YES)) {
				bad++;
				printf("# org, cut at %u: got %s\n", cut,
				       vname(v));
			}
		}
		free(copy);
	}
	result(!bad, "capture cut at every byte: truncated until decided "
	       "(%u cuts)", len + 1);
}

/*
 * A UDP datagram of @hdr and @len bytes of @msg, of which a capture kept
 * @cap bytes: the verdict must be @want.
 */
static void udp_cap_case(const char *desc, const char *hdr, const void *msg,
			 unsigned int len, unsigned int cap, int want)
{
	unsigned char pkt[512], wire[XT_DNS_NAME_SIZE];
	struct flat_buf fb = { pkt, cap };
	struct dns_rule rule;
	int v;

	encode_rule("example.com", wire);
	rule = mkrule(wire);
	memcpy(pkt, hdr, DNS_UDP_HDR_LEN);
	memcpy(pkt + DNS_UDP_HDR_LEN, msg, len);
	v = dns_udp_check(flat_get, &fb, 0, DNS_UDP_HDR_LEN + len, cap, &rule);
	result(v == want, "UDP: %s", desc);
	if (v != want)
		printf("# got %s, want %s\n", vname(v), vname(want));
}

static void udp_case(const char *desc, const char *hdr, const void *msg,
		     unsigned int len, int want)
{
	udp_cap_case(desc, hdr, msg, len, DNS_UDP_HDR_LEN + len, want);
}

static void test_udp(void)
{
	static const char q[] = Q1 EXCOM TC;	/* 29 octets, UDP len 37 */

	udp_case("to port 53", "\xc3\x50\x00\x35\x00\x25\x00\x00", M(q), YES);
	udp_case("to port 5353", "\xc3\x50\x14\xe9\x00\x25\x00\x00", M(q), NQ);
	udp_case("from port 53 to 5353", "\x00\x35\x14\xe9\x00\x25\x00\x00",
		 M(q), NQ);
	udp_case("length 7", "\xc3\x50\x00\x35\x00\x07\x00\x00", M(q), NQ);
	udp_case("length 19 (header cut)", "\xc3\x50\x00\x35\x00\x13\x00\x00",
		 M(q), NQ);
	udp_case("length 20 (header only)", "\xc3\x50\x00\x35\x00\x14\x00\x00",
		 M(q), NO);
	udp_case("length hides QCLASS", "\xc3\x50\x00\x35\x00\x23\x00\x00",
		 M(q), NO);
	udp_case("length beyond the data", "\xc3\x50\x00\x35\x01\x00\x00\x00",
		 M(q), YES);
	udp_case("no payload present", "\xc3\x50\x00\x35\x00\x25\x00\x00", "",
		 0, NQ);
	udp_case("length beyond the data, name cut", "\xc3\x50\x00\x35\x01"
		 "\x00\x00\x00", M(Q1 "\x07" "example" "\x03" "co"), NO);
	/* A capture that kept fewer bytes than the packet had. */
	udp_cap_case("capture cut in the UDP header",
		     "\xc3\x50\x00\x35\x00\x25\x00\x00", M(q), 5, CUT);
	udp_cap_case("capture cut in the DNS header",
		     "\xc3\x50\x00\x35\x00\x25\x00\x00", M(q), 15, CUT);
	udp_cap_case("capture cut in the question",
		     "\xc3\x50\x00\x35\x00\x25\x00\x00", M(q), 30, CUT);
	udp_cap_case("capture cut in QCLASS",
		     "\xc3\x50\x00\x35\x00\x25\x00\x00", M(q), 36, CUT);
	udp_cap_case("capture cut, port 5353 decided",
		     "\xc3\x50\x14\xe9\x00\x25\x00\x00", M(q), 8, NQ);
	udp_cap_case("capture cut, response decided",
		     "\xc3\x50\x00\x35\x00\x25\x00\x00",
		     M(HDR("\x81", "\x01") EXCOM TC), 20, NQ);
	udp_cap_case("capture cut after the question: decided",
		     "\xc3\x50\x00\x35\x00\x29\x00\x00",
		     M(Q1 EXCOM TC "\x00\x00\x29\x10"), 37, YES);
	udp_cap_case("capture cut, label beyond the UDP length: malformed",
		     "\xc3\x50\x00\x35\x00\x1a\x00\x00",
		     M(Q1 "\x3f" "example" "\x03" "com" "\x00" TC), 24, NO);
	udp_cap_case("capture cut, compression pointer decided",
		     "\xc3\x50\x00\x35\x00\x25\x00\x00",
		     M(Q1 "\xc0\x0c" TC), 21, NO);
}

/* Revision 1: a rule from @text (wire size 255), @suffix, @types. */
static struct dns_rule rule1(const char *text, int suffix, const char *types,
			     unsigned char *wire, unsigned short *qtypes)
{
	struct dns_rule r = { wire, 0, (unsigned int)suffix, qtypes, 0 };
	char err[256];
	int n;

	n = dns_name_encode(text, wire, XT_DNS_NAME1_SIZE, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "bad rule name in test: %s: %s\n", text, err);
		exit(2);
	}
	r.name_len = (unsigned int)n;
	if (types) {
		n = dns_qtype_list_parse(types, qtypes, XT_DNS_QTYPE_MAX, err,
					 sizeof(err));
		if (n < 0) {
			fprintf(stderr, "bad qtypes in test: %s\n", err);
			exit(2);
		}
		r.qtype_count = (unsigned int)n;
	}
	return r;
}

#define AAAA	"\x00\x1c\x00\x01"
#define MX	"\x00\x0f\x00\x01"
#define ANYQ	"\x00\xff\x00\x01"

static const struct {
	const char *desc;
	const char *msg;
	unsigned int len;
	const char *rule;
	int suffix;
	const char *qtypes;
	int want;
} cases1[] = {
	{ "suffix: the name itself", M(Q1 EXCOM TC), "example.com", 1, NULL,
	  YES },
	{ "suffix: one label below", M(Q1 "\x03" "www" EXCOM TC),
	  "example.com", 1, NULL, YES },
	{ "suffix: three labels below, mixed case",
	  M(Q1 "\x01" "a" "\x01" "B" "\x03" "wWw" "\x07" "EXAMPLE" "\x03"
	    "com" "\x00" TC), "example.com", 1, NULL, YES },
	{ "suffix: superstring notexample.com",
	  M(Q1 "\x0a" "notexample" "\x03" "com" "\x00" TC), "example.com", 1,
	  NULL, NO },
	{ "suffix: below a superstring",
	  M(Q1 "\x01" "x" "\x0a" "notexample" "\x03" "com" "\x00" TC),
	  "example.com", 1, NULL, NO },
	{ "suffix: the suffix's bytes inside one label",
	  M(Q1 "\x0d" "X" "\x07" "example" "\x03" "com" "\x00" TC),
	  "example.com", 1, NULL, NO },
	{ "suffix: parent only", M(Q1 "\x03" "com" "\x00" TC), "example.com",
	  1, NULL, NO },
	{ "suffix: a label after it", M(Q1 "\x07" "example" "\x03" "com"
	  "\x04" "evil" "\x00" TC), "example.com", 1, NULL, NO },
	{ "suffix: label holding a dot",
	  M(Q1 "\x03" "www" "\x0b" "example.com" "\x00" TC), "example.com",
	  1, NULL, NO },
	{ "suffix: top-level rule", M(Q1 "\x03" "www" EXCOM TC), "com", 1,
	  NULL, YES },
	{ "suffix: malformed below", M(Q1 "\x03" "www" "\xc0\x0c" TC),
	  "example.com", 1, NULL, NO },
	{ "exact: subdomain still no", M(Q1 "\x03" "www" EXCOM TC),
	  "example.com", 0, NULL, NO },
	{ "qtype A: A question", M(Q1 EXCOM TC), "example.com", 0, "A", YES },
	{ "qtype AAAA: A question", M(Q1 EXCOM TC), "example.com", 0, "AAAA",
	  NO },
	{ "qtype AAAA: AAAA question", M(Q1 EXCOM AAAA), "example.com", 0,
	  "aaaa", YES },
	{ "qtype list: MX in MX,AAAA", M(Q1 EXCOM MX), "example.com", 0,
	  "MX,AAAA", YES },
	{ "qtype as a number", M(Q1 EXCOM AAAA), "example.com", 0, "28",
	  YES },
	{ "qtype ANY is QTYPE 255", M(Q1 EXCOM ANYQ), "example.com", 0, "ANY",
	  YES },
	{ "qtype ANY: not any type", M(Q1 EXCOM TC), "example.com", 0, "ANY",
	  NO },
	{ "qtype: the name and the type in one question",
	  M(Q2 "\x03" "org" "\x00" AAAA EXCOM TC), "example.com", 0, "AAAA",
	  NO },
	{ "qtype: second question has both",
	  M(Q2 EXCOM TC EXCOM AAAA), "example.com", 0, "AAAA", YES },
	{ "suffix and qtype", M(Q1 "\x04" "mail" EXCOM MX), "example.com", 1,
	  "MX", YES },
	{ "suffix and another qtype", M(Q1 "\x04" "mail" EXCOM MX),
	  "example.com", 1, "TXT", NO },
};

static void test_rev1(void)
{
	unsigned char wire[XT_DNS_NAME1_SIZE], msg[600];
	unsigned short qtypes[XT_DNS_QTYPE_MAX];
	struct flat_buf fb;
	struct chunk_buf cb;
	struct dns_rule r;
	char text[1100];
	unsigned int i, n, total;
	int v, w;

	for (i = 0; i < sizeof(cases1) / sizeof(cases1[0]); i++) {
		r = rule1(cases1[i].rule, cases1[i].suffix, cases1[i].qtypes,
			  wire, qtypes);
		fb.data = (const unsigned char *)cases1[i].msg;
		fb.len = cases1[i].len;
		cb.flat = fb;
		cb.chunk = 5;
		write_seed(fb.data, fb.len);
		v = dns_msg_check(flat_get, &fb, 0, fb.len, fb.len, &r);
		w = dns_msg_check(chunk_get, &cb, 0, fb.len, fb.len, &r);
		result(v == cases1[i].want && w == v, "rev 1: %s (%s%s%s%s)",
		       cases1[i].desc, cases1[i].suffix ? "suffix " : "",
		       cases1[i].rule, cases1[i].qtypes ? " qtype " : "",
		       cases1[i].qtypes ? cases1[i].qtypes : "");
		if (v != cases1[i].want)
			printf("# got %s, want %s\n", vname(v),
			       vname(cases1[i].want));
	}

	/* Names of 255 octets: a rule that long, exact and as a suffix. */
	memcpy(msg, Q1, DNS_HDR_LEN);
	total = put_long_name(msg + DNS_HDR_LEN, DNS_NAME_MAX);
	memcpy(msg + DNS_HDR_LEN + total, TC, 4);
	n = DNS_HDR_LEN + total + 4;
	fb.data = msg;
	fb.len = n;
	dns_name_decode(msg + DNS_HDR_LEN, total, text, sizeof(text));
	r = rule1(text, 0, NULL, wire, qtypes);
	result(r.name_len == 255 &&
	       (int)dns_msg_check(flat_get, &fb, 0, n, n, &r) == YES,
	       "rev 1: 255-octet rule name matches");
	/* The last labels, from the third on. */
	dns_name_decode(msg + DNS_HDR_LEN + 2 * (1 + DNS_LABEL_MAX),
			total - 2 * (1 + DNS_LABEL_MAX), text, sizeof(text));
	r = rule1(text, 1, NULL, wire, qtypes);
	result((int)dns_msg_check(flat_get, &fb, 0, n, n, &r) == YES,
	       "rev 1: suffix of a 255-octet name");
	result(dns_name_encode("a.", wire, XT_DNS_NAME1_SIZE, text, 100) == 3,
	       "rev 1: encode into 255 octets");
}

/* A TCP segment: header (@doff words, to @port), payload @pay. */
static int tcp_verdict(unsigned int port, unsigned int doff, const void *pay,
		       unsigned int len, unsigned int cap, const char *types)
{
	unsigned char seg[600] = { 0 }, wire[XT_DNS_NAME1_SIZE];
	unsigned short qtypes[XT_DNS_QTYPE_MAX];
	unsigned int hl = doff * 4 < 20 ? 20 : doff * 4;
	struct flat_buf fb = { seg, 0 };
	struct dns_rule r = rule1("example.com", 0, types, wire, qtypes);

	seg[0] = 0xc3;
	seg[1] = 0x50;
	seg[2] = port >> 8;
	seg[3] = port & 0xff;
	seg[12] = doff << 4;
	seg[13] = 0x18;		/* PSH, ACK */
	memcpy(seg + hl, pay, len);
	fb.len = cap ? cap : hl + len;
	return dns_tcp_check(flat_get, &fb, 0, hl + len, fb.len, &r);
}

#define TQ	"\x00\x1d" Q1 EXCOM TC	/* 29-octet query, length first */

static void tcp_case(const char *desc, int v, int want)
{
	result(v == want, "TCP: %s", desc);
	if (v != want)
		printf("# got %s, want %s\n", vname(v), vname(want));
}

static void test_tcp(void)
{
	tcp_case("query to port 53", tcp_verdict(53, 5, M(TQ), 0, NULL), YES);
	tcp_case("query, qtype AAAA", tcp_verdict(53, 5, M(TQ), 0, "AAAA"),
		 NO);
	tcp_case("query to port 5353", tcp_verdict(5353, 5, M(TQ), 0, NULL),
		 NQ);
	tcp_case("data offset 15 (options)",
		 tcp_verdict(53, 15, M(TQ), 0, NULL), YES);
	tcp_case("data offset 4", tcp_verdict(53, 4, M(TQ), 0, NULL), NQ);
	tcp_case("no payload (SYN, ACK)", tcp_verdict(53, 5, "", 0, 0, NULL),
		 NQ);
	tcp_case("one payload byte", tcp_verdict(53, 5, "\x00", 1, 0, NULL),
		 NQ);
	tcp_case("length prefix below a header",
		 tcp_verdict(53, 5, M("\x00\x05" Q1 EXCOM TC), 0, NULL), NQ);
	tcp_case("length prefix hides QCLASS: malformed",
		 tcp_verdict(53, 5, M("\x00\x1b" Q1 EXCOM TC), 0, NULL), NO);
	tcp_case("message longer than the segment, question inside",
		 tcp_verdict(53, 5, M("\x01\x00" Q1 EXCOM TC), 0, NULL), YES);
	tcp_case("segment ends in the question: no reassembly",
		 tcp_verdict(53, 5, M("\x00\x1d" Q1 "\x07" "exam"), 0, NULL),
		 CUT);
	tcp_case("segment ends in the header",
		 tcp_verdict(53, 5, M("\x00\x1d" "\x12\x34\x01\x00"), 0,
			     NULL), CUT);
	tcp_case("response over TCP",
		 tcp_verdict(53, 5, M("\x00\x1d" "\x12\x34\x81\x80\x00\x01"
				      "\x00\x00\x00\x00\x00\x00" EXCOM TC), 0,
			     NULL), NQ);
	tcp_case("capture cut in the TCP header",
		 tcp_verdict(53, 5, M(TQ), 10, NULL), CUT);
	tcp_case("capture cut in the length",
		 tcp_verdict(53, 5, M(TQ), 21, NULL), CUT);
	tcp_case("capture cut, port 5353 decided",
		 tcp_verdict(5353, 5, M(TQ), 21, NULL), NQ);
}

static void test_match_table(void)
{
	int ok = !dns_verdict_match(DNS_NOT_QUERY, 0) &&
		 !dns_verdict_match(DNS_NOT_QUERY, 1) &&
		 !dns_verdict_match(DNS_TRUNCATED, 0) &&
		 !dns_verdict_match(DNS_TRUNCATED, 1) &&
		 !dns_verdict_match(DNS_NAME_ABSENT, 0) &&
		 dns_verdict_match(DNS_NAME_ABSENT, 1) &&
		 dns_verdict_match(DNS_NAME_FOUND, 0) &&
		 !dns_verdict_match(DNS_NAME_FOUND, 1);

	result(ok, "inversion: non-queries never match, else name test ^ !");
}

static void name_case(const char *desc, const char *wire, unsigned int len,
		      enum dns_name_err want)
{
	unsigned char field[XT_DNS_NAME_SIZE] = { 0 };
	enum dns_name_err e;

	memcpy(field, wire, len);
	e = dns_name_check(field, sizeof(field));
	result(e == want, "name check: %s", desc);
	if (e != want)
		printf("# got \"%s\", want \"%s\"\n", dns_name_strerror(e),
		       dns_name_strerror(want));
}

static void test_name_check(void)
{
	unsigned char field[XT_DNS_NAME_SIZE];
	unsigned int i;

	name_case("valid", M(EXCOM), DNS_NAME_OK);
	name_case("all zero", "", 0, DNS_NAME_EMPTY);
	name_case("upper case", M("\x07" "Example" "\x03" "com"),
		  DNS_NAME_BAD_CHAR);
	name_case("dot in a label", M("\x0b" "example.com"),
		  DNS_NAME_BAD_CHAR);
	name_case("NUL in a label", M("\x03" "a\0b" "\x00"), DNS_NAME_BAD_CHAR);
	name_case("pointer", M("\x03" "www" "\xc0\x0c"), DNS_NAME_LABEL_TYPE);
	name_case("label type 01", M("\x41"), DNS_NAME_LABEL_TYPE);
	name_case("trailing bytes", M(EXCOM "\x01"), DNS_NAME_TRAILING);
	name_case("trailing byte at the end", M(EXCOM "\0\0\0\0"),
		  DNS_NAME_OK);

	memset(field, 0, sizeof(field));
	put_long_name(field, XT_DNS_NAME_SIZE);
	result(dns_name_check(field, sizeof(field)) == DNS_NAME_OK,
	       "name check: 127 octets ending in the last byte");
	field[XT_DNS_NAME_SIZE - 1] = 1;
	result(dns_name_check(field, sizeof(field)) == DNS_NAME_NO_ROOT,
	       "name check: label length in the last byte");
	field[XT_DNS_NAME_SIZE - 1] = 0;
	field[64] = 62;
	result(dns_name_check(field, sizeof(field)) == DNS_NAME_NO_ROOT,
	       "name check: label running into the last byte");
	for (i = 0; i < sizeof(field); i++)
		field[i] = i % 2 ? 'b' : 1;
	field[sizeof(field) - 1] = 0;
	result(dns_name_check(field, sizeof(field)) == DNS_NAME_OK,
	       "name check: 63 one-octet labels");
	for (i = 0; i <= DNS_NAME_TRAILING; i++)
		if (!dns_name_strerror(i)[0])
			result(0, "strerror %u", i);
}

static void encode_case(const char *text, const char *want_wire,
			unsigned int want_len, const char *want_err)
{
	unsigned char wire[XT_DNS_NAME_SIZE], zero[XT_DNS_NAME_SIZE] = { 0 };
	char err[256] = "", back[600];
	int n = dns_name_encode(text, wire, sizeof(wire), err, sizeof(err));

	if (want_err) {
		result(n < 0 && strstr(err, want_err) &&
		       !memcmp(wire, zero, sizeof(wire)),
		       "encode rejects '%.40s'", text);
		printf("# message: %s\n", err);
		return;
	}
	dns_name_decode(wire, sizeof(wire), back, sizeof(back));
	result(n == (int)want_len && !memcmp(wire, want_wire, want_len) &&
	       !memcmp(wire + want_len, zero, sizeof(wire) - want_len) &&
	       dns_name_check(wire, sizeof(wire)) == DNS_NAME_OK,
	       "encode '%s' -> '%s'", text, back);
	if (n < 0)
		printf("# error: %s\n", err);
}

static void test_encode(void)
{
	char big[300];
	unsigned char wire[16], wire63[65];
	char text[64];

	encode_case("example.com", M(EXCOM), NULL);
	encode_case("Example.COM.", M(EXCOM), NULL);
	encode_case("_dns-sd.x1", M("\x07" "_dns-sd" "\x02" "x1" "\x00"),
		    NULL);
	encode_case("", NULL, 0, "empty name");
	encode_case(".", NULL, 0, "empty name");
	encode_case("a..b", NULL, 0, "empty label");
	encode_case(".a", NULL, 0, "empty label");
	encode_case("a..", NULL, 0, "empty label");
	encode_case("a b", NULL, 0, "invalid character ' '");
	encode_case("a*b", NULL, 0, "invalid character '*'");
	encode_case("caf\xc3\xa9", NULL, 0, "invalid character 0xc3");
	encode_case("a/b", NULL, 0, "invalid character '/'");
	memset(big, 'x', 64);
	big[64] = 0;
	encode_case(big, NULL, 0, "64 octets long, at most 63");
	big[63] = 0;
	wire63[0] = 63;
	memset(wire63 + 1, 'x', 63);
	wire63[64] = 0;
	encode_case(big, (const char *)wire63, 65, NULL);
	memset(big, 'y', 200);
	for (int i = 63; i < 200; i += 64)
		big[i] = '.';
	big[126] = 0;	/* 126 text octets: 128 in wire format */
	encode_case(big, NULL, 0, "128 octets in wire format, at most 127");

	dns_name_decode((const unsigned char *)"\x03" "a\x01" "b" "\x00", 5,
			text, sizeof(text));
	result(!strcmp(text, "a\\001b"), "decode escapes odd bytes: %s", text);
	dns_name_decode((const unsigned char *)EXCOM, 13, text, 6);
	result(!strcmp(text, "examp"), "decode truncates to the buffer");
	memcpy(wire, "\x05" "abcdefghij", 11);
	dns_name_decode(wire, 4, text, sizeof(text));
	result(!strcmp(text, "abc"), "decode stops at the end of the field");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		seed_dir = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--seeds DIR]\n", argv[0]);
		return 2;
	}
	test_cases();
	test_lengths();
	test_truncation();
	test_capture_cut();
	test_udp();
	test_rev1();
	test_tcp();
	test_match_table();
	test_name_check();
	test_encode();
	printf("# %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
