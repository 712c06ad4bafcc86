#include "print.h"
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

static const char *or_none(const char *s)
{
	return s && *s ? s : "none";
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

	fprintf(out, "header_line: %s\n", or_none(r->header));
	fprintf(out, "fault_function: %s\n", or_none(f ? f->func : NULL));
	fprintf(out, "fault_offset: %s\n", or_none(f ? f->off : NULL));
	fprintf(out, "fault_size: %s\n", or_none(f ? f->size : NULL));
	fprintf(out, "fault_module: %s\n", or_none(f ? f->module : NULL));
	for (i = 0; i < sizeof(f3) / sizeof(f3[0]); i++) {
		char *s = first3(r, f3[i].mode);

		fprintf(out, "%s: %s\n", f3[i].key, or_none(s));
		free(s);
	}
}

static void print_symref(FILE *out, const struct frame *f)
{
	fputs(f->func, out);
	if (f->off)
		fprintf(out, "+%s", f->off);
	if (f->size)
		fprintf(out, "/%s", f->size);
	if (f->module)
		fprintf(out, " [%s]", f->module);
}

/* "file:line (in inner)" and the "(inlined by)" chain below it. */
static void print_source(FILE *out, const struct frame *f,
			 const struct resolved *rv, const char *indent)
{
	size_t i;

	if (!rv || rv->status != RES_OK) {
		if (f->srcloc)
			fprintf(out, " %s", f->srcloc);
		fputc('\n', out);
		return;
	}
	fprintf(out, " %s", rv->lines[0].loc);
	if (rv->nlines > 1)
		fprintf(out, " (in %s)", rv->lines[0].func);
	fputc('\n', out);
	for (i = 1; i < rv->nlines; i++)
		fprintf(out, "%s(inlined by) %s at %s\n", indent,
			rv->lines[i].func, rv->lines[i].loc);
}

static void print_fault(FILE *out, const struct report *r,
			const struct resolution *res)
{
	const struct resolved *rv = res ? &res->fault : NULL;

	fputs("Fault:      ", out);
	if (!r->has_fault) {
		fprintf(out, "none (%s)\n", r->fault_why ? r->fault_why : "unknown");
		return;
	}
	print_symref(out, &r->fault);
	fputc('\n', out);
	if (rv && rv->status == RES_OK) {
		fprintf(out, "  address:  %s %0*llx + %s = 0x%llx in %s of %s\n",
			r->fault.func, rv->width, rv->symval,
			r->fault.off ? r->fault.off : "0x0", rv->addr,
			rv->secname, rv->objpath);
		fputs("  source:  ", out);
		print_source(out, &r->fault, rv, "            ");
	} else if (r->fault.srcloc) {
		fprintf(out, "  source:   %s\n", r->fault.srcloc);
	}
}

void print_report(FILE *out, const struct report *r,
		  const struct resolution *res)
{
	size_t i, nrel = 0;

	fprintf(out, "Header:     %s\n", r->header);
	fprintf(out, "RIP line:   %s\n", r->pc_line ? r->pc_line : "(none)");
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
		fprintf(out, "Warning:    report truncated: %s\n", r->trunc_why);
	if (res && res->nnotes) {
		fputs("Notes:\n", out);
		for (i = 0; i < res->nnotes; i++)
			fprintf(out, "  - %s\n", res->notes[i]);
	}
}
