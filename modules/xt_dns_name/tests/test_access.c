// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "test_access.h"

const void *flat_get(const void *ctx, unsigned int off, unsigned int len,
		     void *buf)
{
	const struct flat_buf *b = ctx;

	(void)buf;
	if (len > b->len || off > b->len - len)
		return NULL;
	return b->data + off;
}

const void *chunk_get(const void *ctx, unsigned int off, unsigned int len,
		      void *buf)
{
	const struct chunk_buf *c = ctx;
	unsigned char *out = buf;
	unsigned int done = 0, n;

	if (len > c->flat.len || off > c->flat.len - len)
		return NULL;
	/* Copy piecewise, as skb_copy_bits() walks fragments. */
	while (done < len) {
		n = c->chunk - (off + done) % c->chunk;
		if (n > len - done)
			n = len - done;
		memcpy(out + done, c->flat.data + off + done, n);
		done += n;
	}
	return buf;
}
