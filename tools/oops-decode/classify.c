#include "classify.h"
#include "kpatterns.h"
#include "logtext.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A header joins the open report of its context only this many lines
 * after that report's last header: arm64 prints ~15 lines of abort info
 * between "Unable to handle kernel ..." and "Internal error: Oops". */
#define JOIN_WINDOW 30
/* Open reports at once: one per printk caller id, a few CPUs crashing
 * together at most. */
#define MAX_OPEN 16

struct crash {
	enum crash_kind kind;
	int weak;            /* a generic "BUG:" no die line has refined yet */
	const char *first;   /* message of the report's first line */
};

/* A report a following header may still join: until its call trace, an
 * end marker or another report starts in its context. */
struct open_report {
	const char *cid;     /* printk caller id ("" without one) */
	size_t crash;        /* index into crashes */
	size_t line;         /* its last header line */
};

struct classifier {
	struct crash *crashes;
	size_t n, cap;
	struct open_report open[MAX_OPEN];
	size_t nopen;
};

static void drop_open(struct classifier *c, size_t i)
{
	c->open[i] = c->open[--c->nopen];
}

static struct open_report *find_open(struct classifier *c, const char *cid,
				     size_t line)
{
	size_t i = 0;

	while (i < c->nopen) {
		if (c->open[i].line + JOIN_WINDOW < line) {
			drop_open(c, i);
			continue;
		}
		if (!strcmp(c->open[i].cid, cid))
			return &c->open[i];
		i++;
	}
	return NULL;
}

/* die()'s line belongs to the fault or BUG() it reports; a failed
 * list/refcount/usercopy check raises a WARNING or BUG of its own. */
static int joins(const struct crash *cr, const struct crash_header *h)
{
	int dies = cr->kind == CK_OOPS || cr->kind == CK_BUG ||
		   cr->kind == CK_CORRUPTION;

	if ((h->flags & CH_DIE) && dies)
		return 1;
	return cr->kind == CK_CORRUPTION &&
	       (h->kind == CK_WARNING || h->kind == CK_BUG || h->kind == CK_OOPS);
}

static void on_header(struct classifier *c, const struct crash_header *h,
		      const struct logline *ll, size_t line)
{
	struct open_report *o = find_open(c, ll->cid, line);
	struct crash *cr;
	void *arr = c->crashes;

	if (o && h->kind != CK_PANIC && joins(&c->crashes[o->crash], h)) {
		cr = &c->crashes[o->crash];
		if (cr->weak) {
			cr->kind = h->kind;
			cr->weak = !!(h->flags & CH_WEAK);
		}
		o->line = line;
		return;
	}
	grow_array(&arr, &c->cap, c->n + 1, sizeof(*c->crashes));
	c->crashes = arr;
	cr = &c->crashes[c->n++];
	cr->kind = h->kind;
	cr->weak = !!(h->flags & CH_WEAK);
	cr->first = ll->msg;
	/* a panic is reported on its own and ends the report before it */
	if (h->kind == CK_PANIC) {
		if (o)
			drop_open(c, (size_t)(o - c->open));
		return;
	}
	if (!o) {
		if (c->nopen == MAX_OPEN)
			drop_open(c, 0);
		o = &c->open[c->nopen++];
	}
	o->cid = ll->cid;
	o->crash = c->n - 1;
	o->line = line;
}

/* A call trace, an end marker or a "cut here" closes the report of its
 * context for joining; a failed check's "cut here" comes before its BUG. */
static void on_text(struct classifier *c, const struct logline *ll,
		    size_t line)
{
	const char *t = skip_spaces(ll->msg);
	struct open_report *o;

	if (!trace_header_rest(t) && !is_report_end(t))
		return;
	o = find_open(c, ll->cid, line);
	if (!o)
		return;
	if (is_cut_here(t) && c->crashes[o->crash].kind == CK_CORRUPTION)
		return;
	drop_open(c, (size_t)(o - c->open));
}

size_t classify_log(FILE *out, const char *data, size_t len)
{
	struct classifier c;
	struct logtext lt;
	size_t i, n;

	memset(&c, 0, sizeof(c));
	logtext_split(&lt, data, len);
	for (i = 0; i < lt.n; i++) {
		const struct logline *ll = &lt.lines[i];
		const struct crash_header *h;

		if (!logline_is_kernel(&lt, ll))
			continue;
		h = crash_header_of(ll->msg);
		if (h)
			on_header(&c, h, ll, i);
		else if (c.nopen)
			on_text(&c, ll, i);
	}
	for (i = 0; i < c.n; i++) {
		fputs(crash_kind_name(c.crashes[i].kind), out);
		fputc('\t', out);
		fputs_safe(c.crashes[i].first, out);
		fputc('\n', out);
	}
	n = c.n;
	free(c.crashes);
	logtext_free(&lt);
	return n;
}
