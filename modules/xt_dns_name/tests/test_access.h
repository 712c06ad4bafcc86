/* SPDX-License-Identifier: GPL-2.0 */
/* Accessors that stand in for skb_header_pointer() in host programs. */
#ifndef _TEST_ACCESS_H
#define _TEST_ACCESS_H

struct flat_buf {
	const unsigned char *data;
	unsigned int len;
};

/* A linear buffer: returns pointers into it (like a linear skb). */
const void *flat_get(const void *ctx, unsigned int off, unsigned int len,
		     void *buf);

/*
 * The same bytes as if scattered over fragments of @chunk bytes: always
 * copies into @buf (like skb_header_pointer() on a paged skb).
 */
struct chunk_buf {
	struct flat_buf flat;
	unsigned int chunk;
};

const void *chunk_get(const void *ctx, unsigned int off, unsigned int len,
		      void *buf);

#endif
