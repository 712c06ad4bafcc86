// SPDX-License-Identifier: GPL-2.0
/*
 * UDP/53 flood for bench/match-cost: sends COUNT DNS queries for
 * www.example.org (plus PAD trailing zero bytes) to ADDR port 53 and prints
 * the mean nanoseconds per sendto(). Errors (EPERM from an OUTPUT DROP) are
 * expected and ignored: the cost measured is the send path with its rules.
 * Built static on the host so the guest needs no compiler.
 * usage: match-cost-flood ADDR COUNT PAD
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static const unsigned char query[] =
	"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	"\x03" "www" "\x07" "example" "\x03" "org" "\x00" "\x00\x01\x00\x01";

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	unsigned char pkt[2048] = { 0 };
	struct timespec t0, t1;
	unsigned long count, i;
	size_t len;
	socklen_t slen;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ADDR COUNT PAD\n", argv[0]);
		return 2;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[1], &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(53);
		slen = sizeof(*v4);
	} else if (inet_pton(AF_INET6, argv[1], &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(53);
		slen = sizeof(*v6);
	} else {
		fprintf(stderr, "%s: bad address %s\n", argv[0], argv[1]);
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	len = sizeof(query) - 1 + strtoul(argv[3], NULL, 10);
	if (len > sizeof(pkt)) {
		fprintf(stderr, "%s: PAD too large\n", argv[0]);
		return 2;
	}
	memcpy(pkt, query, sizeof(query) - 1);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++)
		sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, slen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 +
			  (t1.tv_nsec - t0.tv_nsec)) / (double)(count ? count : 1));
	return 0;
}
