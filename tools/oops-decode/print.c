#include "print.h"
#include "resolve.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *or_none(const char *s)
{
	return s && *s ? s : "none";
}

/* "key: value" with the value's control bytes escaped (it is log text). */
static void put_key(FILE *out, const char *key, const char *value)
{
	fprintf(out, "%s: ", key);
	fputs_safe(or_none(value), out);
	fputc('\n', out);
}

void print_keys(FILE *out, const struct report *r)
{
	static const struct {
		const char *key;
		enum first3_mode mode;
	} f3[] = {
		{ "call_trace_first3", F3_ALL },
		{ "call_trace_first3_after_reporting_frames", F3_AFTER_REPORTING },
		{ "call_trace_first3_after_irq", F3_AFTER_IRQ },
	};
	const struct frame *f = r->has_fault ? &r->fault : NULL;
	size_t i;

	put_key(out, "header_line", r->header);
	put_key(out, "fault_function", f ? f->func : NULL);
	put_key(out, "fault_offset", f ? f->off : NULL);
	put_key(out, "fault_size", f ? f->size : NULL);
	put_key(out, "fault_module", f ? f->module : NULL);
	for (i = 0; i < sizeof(f3) / sizeof(f3[0]); i++) {
		char *s = first3(r, f3[i].mode);

		put_key(out, f3[i].key, s);
		free(s);
	}
}

static void print_symref(FILE *out, const struct frame *f)
{
	fputs_safe(f->func, out);
	if (f->off) {
		fputc('+', out);
		fputs_safe(f->off, out);
	}
	if (f->size) {
		fputc('/', out);
		fputs_safe(f->size, out);
	}
	if (f->module) {
		fputs(" [", out);
		fputs_safe(f->module, out);
		fputc(']', out);
	}
}

/* "PREFIX text SUFFIX" with text escaped. */
static void put3(FILE *out, const char *prefix, const char *text,
		 const char *suffix)
{
	fputs(prefix, out);
	fputs_safe(text, out);
	fputs(suffix, out);
}

/* "file:line (in inner)" and the "(inlined by)" chain below it. */
static void print_source(FILE *out, const struct frame *f,
			 const struct resolved *rv, const char *indent)
{
	size_t i;

	if (!rv || rv->status != RES_OK) {
		if (f->srcloc)
			put3(out, " ", f->srcloc, "");
		fputc('\n', out);
		return;
	}
	put3(out, " ", rv->lines[0].loc, "");
	if (rv->nlines > 1)
		put3(out, " (in ", rv->lines[0].func, ")");
	fputc('\n', out);
	for (i = 1; i < rv->nlines; i++) {
		fprintf(out, "%s(inlined by) ", indent);
		put3(out, "", rv->lines[i].func, " at ");
		put3(out, "", rv->lines[i].loc, "\n");
	}
}

static void print_fault(FILE *out, const struct report *r,
			const struct resolution *res)
{
	const struct resolved *rv = res ? &res->fault : NULL;

	fputs("Fault:      ", out);
	if (!r->has_fault) {
		put3(out, "none (", r->fault_why ? r->fault_why : "unknown", ")\n");
		return;
	}
	print_symref(out, &r->fault);
	fputc('\n', out);
	if (rv && rv->status == RES_OK) {
		put3(out, "  address:  ", r->fault.func, " ");
		fprintf(out, "%0*llx + ", rv->width, rv->symval);
		fputs_safe(r->fault.off ? r->fault.off : "0x0", out);
		fprintf(out, " = 0x%llx in ", rv->addr);
		put3(out, "", rv->secname, " of ");
		put3(out, "", rv->objpath, "\n");
		fputs("  source:  ", out);
		print_source(out, &r->fault, rv, "            ");
	} else if (r->fault.srcloc) {
		put3(out, "  source:   ", r->fault.srcloc, "\n");
	}
}

void print_report(FILE *out, const struct report *r,
		  const struct resolution *res)
{
	size_t i, nrel = 0;

	put3(out, "Header:     ", r->header, "\n");
	put3(out, "RIP line:   ", r->pc_line ? r->pc_line : "(none)", "\n");
	print_fault(out, r, res);
	for (i = 0; i < r->nframes; i++)
		nrel += r->frames[i].reliable;
	fputs("Call Trace:\n", out);
	if (!r->nframes)
		fputs("  (none)\n", out);
	else if (!nrel)
		fputs("  (no reliable frames; all '?' frames shown)\n", out);
	for (i = 0; i < r->nframes; i++) {
		const struct frame *f = &r->frames[i];

		if (nrel && !f->reliable)
			continue;
		fputs(f->reliable ? "  " : "  ? ", out);
		print_symref(out, f);
		print_source(out, f, res ? &res->frames[i] : NULL, "      ");
	}
	if (r->truncated)
		put3(out, "Warning:    report truncated: ", r->trunc_why, "\n");
	if (res && res->nnotes) {
		fputs("Notes:\n", out);
		for (i = 0; i < res->nnotes; i++)
			put3(out, "  - ", res->notes[i], "\n");
	}
}
