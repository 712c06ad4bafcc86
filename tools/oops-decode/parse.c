#include "parse.h"
#include "kpatterns.h"
#include "logtext.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum pc_kind { PC_NONE, PC_USER, PC_SYM, PC_NOSYM };
enum trace_state { T_NONE, T_IN, T_DONE };

struct scan {
	struct report *r;
	enum trace_state st;
	int in_irq, after_irq;
	int last_was_frame;      /* last trace line seen was a frame */
	int arm_chain;           /* last frame came from an ARM "from" part */
	struct frame pc;         /* first symbolic kernel pc */
	int have_pc, any_kernel_pc;
	char *pc_line, *nosym_line;
};

void report_free(struct report *r)
{
	size_t i;

	free(r->header);
	free(r->fault_src);
	free(r->pc_line);
	free(r->fault_why);
	free(r->trunc_why);
	frame_clear(&r->fault);
	for (i = 0; i < r->nframes; i++)
		frame_clear(&r->frames[i]);
	free(r->frames);
	memset(r, 0, sizeof(*r));
}

/* Lines of other CPUs/tasks (different caller id) and, in a timestamped
 * log, lines without a timestamp (user space, host messages) are not part
 * of the report. */
static int foreign(const struct logline *hl, const struct logline *ll)
{
	if (hl->has_ts && !ll->has_ts)
		return 1;
	return hl->cid[0] && strcmp(hl->cid, ll->cid) != 0;
}

static void add_frame(struct scan *s, struct frame *f)
{
	struct report *r = s->r;
	void *arr = r->frames;

	grow_array(&arr, &r->cap, r->nframes + 1, sizeof(struct frame));
	r->frames = arr;
	f->in_irq = (unsigned)s->in_irq;
	f->after_irq = (unsigned)s->after_irq;
	r->frames[r->nframes++] = *f;
	memset(f, 0, sizeof(*f));
	s->st = T_IN;
	s->last_was_frame = 1;
}

/* A word of only hex digits: an address printed without a symbol. */
static int is_hex_word(const char *p)
{
	const char *q = p;

	if (q[0] == '0' && q[1] == 'x')
		q += 2;
	while (isxdigit((unsigned char)*q))
		q++;
	return q - p >= 2 && (!*q || *q == ' ');
}

static enum pc_kind pc_symbol(const char *p, struct frame *f)
{
	const char *q;
	unsigned long long a = 0;
	int has_addr = 0;

	p = skip_spaces(p);
	while (*p == '[' && (q = parse_bracket_addr(p, &a))) {
		has_addr = 1;
		p = skip_spaces(q);
	}
	q = parse_symref(p, f);
	if (q) {
		const char *rest = skip_spaces(q);
		size_t n = strcspn(rest, " ");

		if (*rest && looks_like_srcloc(rest, n))
			f->srcloc = xstrndup(rest, n);
		f->has_addr = (unsigned)has_addr;
		f->addr = a;
		f->reliable = 1;
		return PC_SYM;
	}
	if (!*p || has_addr || starts_with(p, "(null)") || starts_with(p, "[<") ||
	    is_hex_word(p))
		return PC_NOSYM;
	return PC_NONE;
}

/* x86 "RIP: 0010:sym", "IP: [<a>] sym", i386 "EIP is at", ARM "PC is at",
 * arm64 "pc : sym", riscv/mips "epc : [addr] sym", powerpc "NIP [a] sym". */
static enum pc_kind parse_pc_line(const char *t, struct frame *f)
{
	const char *p;

	if (starts_with(t, "RIP: ") || starts_with(t, "EIP: "))
		p = t + 5;
	else if (starts_with(t, "IP: "))
		p = t + 4;
	else if (starts_with(t, "EIP is at "))
		return pc_symbol(t + 10, f);
	else if (starts_with(t, "PC is at "))
		return pc_symbol(t + 9, f);
	else if (starts_with(t, "pc : "))
		return pc_symbol(t + 5, f);
	else if (starts_with(t, "NIP [") || starts_with(t, "NIP:"))
		return pc_symbol(skip_spaces(t + 4), f);
	else if (starts_with(t, "epc")) {
		p = skip_spaces(t + 3);
		if (*p != ':')
			return PC_NONE;
		p = skip_spaces(p + 1);
		if (is_hex_word(p) && strchr(p, '+'))
			p = skip_spaces(p + strcspn(p, " "));  /* mips: addr sym */
		return pc_symbol(p, f);
	} else
		return PC_NONE;
	p = skip_spaces(p);
	/* "0010:" code segment; RPL 3 means the pc is in user space */
	if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) &&
	    isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3]) &&
	    p[4] == ':') {
		unsigned long cs = strtoul(p, NULL, 16);

		if ((cs & 3) == 3)
			return PC_USER;
		p += 5;
	}
	return pc_symbol(p, f);
}

/* "<IRQ>", "</IRQ>", "<EOI>", "<NMI>", "<TASK>", ...; returns the text
 * after the marker or NULL if t does not start with one. */
static const char *trace_marker(struct scan *s, const char *t)
{
	static const char *const enter[] = { "<IRQ>", "<NMI>", "<SOFTIRQ>",
					     "<#DF>", NULL };
	static const char *const leave[] = { "</IRQ>", "<EOI>", "</NMI>",
					     "</SOFTIRQ>", "<<EOE>>", "</#DF>",
					     NULL };
	int i;

	for (i = 0; enter[i]; i++)
		if (starts_with(t, enter[i])) {
			s->in_irq = 1;
			return skip_spaces(t + strlen(enter[i]));
		}
	for (i = 0; leave[i]; i++)
		if (starts_with(t, leave[i])) {
			s->in_irq = 0;
			s->after_irq = 1;
			return skip_spaces(t + strlen(leave[i]));
		}
	if (starts_with(t, "<TASK>"))
		return skip_spaces(t + 6);
	if (starts_with(t, "</TASK>")) {
		s->st = T_DONE;  /* end of the first stack */
		return skip_spaces(t + 7);
	}
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* ARM: the "(func)" part repeats the previous line's "from" frame. */
static void add_arm(struct scan *s, struct frame *callee, struct frame *caller)
{
	struct report *r = s->r;
	struct frame *prev = r->nframes ? &r->frames[r->nframes - 1] : NULL;

	if (!s->arm_chain || !prev || strcmp(prev->func, callee->func))
		add_frame(s, callee);
	else
		frame_clear(callee);
	add_frame(s, caller);
	s->arm_chain = 1;
}

/* One report line. Returns 0 when scanning must stop. */
static int scan_line(struct scan *s, const char *t)
{
	struct frame f, f2;
	const char *rest;
	enum pc_kind k;

	memset(&f, 0, sizeof(f));
	memset(&f2, 0, sizeof(f2));
	if (s->st == T_IN && (rest = trace_marker(s, t))) {
		s->last_was_frame = 0;
		if (s->st == T_DONE)
			return 0;
		if (!*rest)
			return 1;
		t = rest;  /* old kernels: "<IRQ>  [<addr>] func+..." */
	}
	if ((rest = trace_header_rest(t))) {
		s->st = T_IN;
		s->last_was_frame = 0;
		if (!*rest)
			return 1;
		t = rest;
	}
	k = parse_pc_line(t, &f);
	if (k == PC_USER) {
		/* user registers follow the last kernel frame of a stack */
		if (s->st == T_IN) {
			s->st = T_DONE;
			return 0;
		}
		return 1;
	}
	if (k == PC_SYM || k == PC_NOSYM) {
		if (k == PC_SYM && !s->have_pc) {
			s->pc = f;
			s->have_pc = 1;
			s->pc_line = xstrdup(t);
		} else {
			if (k == PC_NOSYM && !s->nosym_line)
				s->nosym_line = xstrdup(t);
			frame_clear(&f);
		}
		if (k == PC_NOSYM)
			s->any_kernel_pc = 1;
		if (s->st == T_IN)
			s->last_was_frame = 0;
		return 1;
	}
	frame_clear(&f);
	if (parse_arm_backtrace(t, &f, &f2)) {
		add_arm(s, &f, &f2);
		return 1;
	}
	if (parse_frame_line(t, &f, s->st == T_IN)) {
		s->arm_chain = 0;
		add_frame(s, &f);
		return 1;
	}
	if (s->st != T_IN)
		return 1;
	if (ends_with(t, "[inline]"))
		return 1;  /* pre-symbolized inline frame: not a return address */
	if (is_register_line(t)) {
		s->last_was_frame = 0;
		return 1;
	}
	s->st = T_DONE;
	return 0;
}

/* "func+off/size [mod]" anywhere in the header (KASAN, WARNING, ...). */
static int header_symbol(const char *h, struct frame *f)
{
	const char *p;

	for (p = h; *p; p++) {
		if (p != h && p[-1] != ' ' && p[-1] != '(')
			continue;
		if (parse_symref(p, f)) {
			f->reliable = 1;
			return 1;
		}
	}
	return 0;
}

/* stack-protector panics name the corrupted frame by raw address. */
static int header_address(const char *h, unsigned long long *addr)
{
	const char *p = h + strlen(h), *e = p;

	while (p > h && isxdigit((unsigned char)p[-1]))
		p--;
	if (e - p < 8 || e - p > 16 || (p > h && p[-1] != ' '))
		return 0;
	*addr = strtoull(p, NULL, 16);
	return 1;
}

static void set_fault(struct report *r, const struct frame *f, const char *src)
{
	frame_copy(&r->fault, f);
	r->has_fault = 1;
	r->fault_src = xstrdup(src);
}

static void decide_fault(struct scan *s)
{
	struct report *r = s->r;
	struct frame hf;
	unsigned long long a;
	size_t i;

	memset(&hf, 0, sizeof(hf));
	if (strstr(r->header, "Attempted to kill init") ||
	    strstr(r->header, "Attempted to kill the idle task")) {
		r->fault_why = xstrdup("the crash happened in user space "
				       "(the kernel trace is the exit path)");
		return;
	}
	if (header_symbol(r->header, &hf)) {
		set_fault(r, &hf, r->header);
		frame_clear(&hf);
		/* KASAN names its caller (_RET_IP_ of the check or the free),
		 * the stack protector __stack_chk_fail's return address. */
		r->fault.is_retaddr =
			crash_header_of(r->header)->kind == CK_KASAN ||
			strstr(r->header, "stack-protector:") != NULL;
		return;
	}
	if (s->have_pc) {
		set_fault(r, &s->pc, s->pc_line);
		return;
	}
	if (s->any_kernel_pc) {
		r->fault_why = xstrdup("the kernel pc has no symbol");
		r->fault_src = xstrdup(s->nosym_line);
		return;
	}
	if (starts_with(r->header, "Kernel panic") && header_address(r->header, &a))
		for (i = 0; i < r->nframes; i++)
			if (r->frames[i].has_addr && r->frames[i].addr == a &&
			    r->frames[i].off) {
				set_fault(r, &r->frames[i], r->header);
				r->fault.reliable = 1;
				return;
			}
	for (i = 0; i < r->nframes; i++) {
		const struct frame *f = &r->frames[i];

		if (!f->reliable || is_reporting_func(f->func))
			continue;
		if (f->off) {
			set_fault(r, f, "(first call-trace frame after the "
					"reporting frames)");
			r->fault.is_retaddr = 1;
			return;
		}
		break;
	}
	r->fault_why = xstrdup("no pc line and no usable frame");
}

/* arm64/riscv/arm print the faulting function as the first frame: that
 * frame is the pc itself, not a return address. */
static void mark_fault_frame(struct report *r)
{
	struct frame *f = r->nframes ? &r->frames[0] : NULL;

	if (!f || !r->has_fault || strcmp(f->func, r->fault.func))
		return;
	if (!f->off && r->fault.off) {
		f->off = xstrdup(r->fault.off);
		f->offv = r->fault.offv;
		if (r->fault.size) {
			f->size = xstrdup(r->fault.size);
			f->sizev = r->fault.sizev;
		}
		if (r->fault.module && !f->module)
			f->module = xstrdup(r->fault.module);
	}
	if (f->offv == r->fault.offv)
		f->is_fault = 1;
}

static void check_truncated(struct scan *s, int eof_in_trace)
{
	struct report *r = s->r;
	const struct frame *last = NULL;
	size_t i;

	if (!r->nframes) {
		r->truncated = 1;
		r->trunc_why = xstrdup("the report has no call trace");
		return;
	}
	if (!eof_in_trace || !s->last_was_frame)
		return;
	for (i = r->nframes; i-- > 0;)
		if (r->frames[i].reliable) {
			last = &r->frames[i];
			break;
		}
	if (last && is_bottom_func(last->func))
		return;
	r->truncated = 1;
	r->trunc_why = xstrdup("the log ends inside the call trace");
}

static size_t find_header(const struct logtext *lt)
{
	size_t i;

	for (i = 0; i < lt->n; i++) {
		const struct logline *ll = &lt->lines[i];

		if (!logline_is_kernel(lt, ll))
			continue;
		if (is_crash_header(ll->msg))
			return i;
	}
	return lt->n;
}

int oops_parse(const char *data, size_t len, struct report *r)
{
	struct logtext lt;
	struct scan s;
	size_t h, i;
	int prelude;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	s.r = r;
	logtext_split(&lt, data, len);
	h = find_header(&lt);
	if (h == lt.n) {
		logtext_free(&lt);
		return 0;
	}
	r->header = xstrdup(lt.lines[h].msg);
	/* a failed check's message comes before the BUG()'s "cut here" */
	prelude = crash_header_of(r->header)->kind == CK_CORRUPTION;
	for (i = h + 1; i < lt.n; i++) {
		const struct logline *ll = &lt.lines[i];
		const char *t = skip_spaces(ll->msg);

		if (foreign(&lt.lines[h], ll))
			continue;
		if (is_report_end(t) && !(prelude && is_cut_here(t))) {
			if (s.st == T_IN)
				s.st = T_DONE;
			break;
		}
		if (!*t && s.st == T_IN) {
			s.st = T_DONE;
			break;
		}
		if (!scan_line(&s, t))
			break;
	}
	decide_fault(&s);
	if (s.pc_line)
		r->pc_line = xstrdup(s.pc_line);
	else if (s.nosym_line)
		r->pc_line = xstrdup(s.nosym_line);
	mark_fault_frame(r);
	check_truncated(&s, s.st == T_IN);
	frame_clear(&s.pc);
	free(s.pc_line);
	free(s.nosym_line);
	logtext_free(&lt);
	return 1;
}

char *first3(const struct report *r, enum first3_mode mode)
{
	struct sbuf b = { 0 };
	size_t i;
	int n = 0, skipping = mode == F3_AFTER_REPORTING;

	for (i = 0; i < r->nframes && n < 3; i++) {
		const struct frame *f = &r->frames[i];

		if (!f->reliable)
			continue;
		if (mode == F3_AFTER_IRQ && !f->after_irq)
			continue;
		if (skipping && is_reporting_func(f->func))
			continue;
		skipping = 0;
		if (n++)
			sb_puts(&b, ", ");
		sb_puts(&b, f->func);
		if (f->module)
			sb_printf(&b, " [%s]", f->module);
	}
	return n ? sb_steal(&b) : NULL;
}
