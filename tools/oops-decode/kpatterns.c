#include "kpatterns.h"
#include "frame.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

#define HDR(p, c, k, f) { p, sizeof(p) - 1, c, k, f }

/* The one definition of what starts a kernel crash report, and of what kind
 * it is. The first matching entry wins, so specific prefixes come before
 * the general ones ("BUG: KASAN:" before "BUG:"). */
static const struct crash_header headers[] = {
	HDR("Kernel panic - not syncing", NULL, CK_PANIC, 0),
	HDR("PANIC: early exception", NULL, CK_PANIC, 0),

	HDR("BUG: KASAN:", NULL, CK_KASAN, 0),
	HDR("BUG: KASan:", NULL, CK_KASAN, 0),  /* 4.0 - 4.3 */
	HDR("BUG: KFENCE:", NULL, CK_KFENCE, 0),
	HDR("BUG: KMSAN:", NULL, CK_KMSAN, 0),
	HDR("UBSAN:", NULL, CK_UBSAN, 0),
	HDR("Oops: UBSAN:", NULL, CK_UBSAN, CH_DIE),  /* x86 CONFIG_UBSAN_TRAP */

	/* lockdep's own reports; everything else "WARNING:" is a WARN() */
	HDR("WARNING: possible ", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: inconsistent lock state", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: suspicious RCU usage", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: bad unlock balance", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: held lock freed", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: lock held when returning", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: Nested lock was not taken", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: bad contention detected", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: chain_key collision", NULL, CK_LOCKDEP, 0),
	HDR("WARNING: ", "-safe -> ", CK_LOCKDEP, 0),
	HDR("WARNING: ", " still has locks held!", CK_LOCKDEP, 0),
	HDR("INFO: trying to register non-static key", NULL, CK_LOCKDEP, 0),

	HDR("BUG: soft lockup", NULL, CK_LOCKUP, 0),
	HDR("BUG: workqueue lockup", NULL, CK_LOCKUP, 0),
	HDR("BUG: spinlock lockup", NULL, CK_LOCKUP, 0),
	HDR("Watchdog detected hard LOCKUP", NULL, CK_LOCKUP, 0),
	HDR("INFO: rcu", " stall", CK_LOCKUP, 0),
	HDR("INFO: task ", " blocked for more than ", CK_HUNG_TASK, 0),

	/* A failed data-structure check prints its message first, then the
	 * WARNING or "kernel BUG at" it raises: one report. */
	HDR("list_add corruption", NULL, CK_CORRUPTION, 0),
	HDR("list_del corruption", NULL, CK_CORRUPTION, 0),
	HDR("list_add double add", NULL, CK_CORRUPTION, 0),
	HDR("refcount_t: ", NULL, CK_CORRUPTION, 0),
	HDR("usercopy: Kernel memory ", NULL, CK_CORRUPTION, 0),
	HDR("BUG ", " (Not tainted): ", CK_CORRUPTION, 0),  /* SLUB debug */
	HDR("BUG ", " (Tainted: ", CK_CORRUPTION, 0),

	/* page faults and other exceptions: a header, then die()'s line */
	HDR("BUG: unable to handle", NULL, CK_OOPS, 0),
	HDR("BUG: kernel NULL pointer dereference", NULL, CK_OOPS, 0),
	HDR("BUG: stack guard page was hit", NULL, CK_OOPS, 0),
	HDR("Unable to handle kernel", NULL, CK_OOPS, 0),
	HDR("PANIC: double fault", NULL, CK_OOPS, 0),
	HDR("SError Interrupt", NULL, CK_OOPS, 0),
	HDR("Bad mode in", NULL, CK_OOPS, 0),
	HDR("Oops:", NULL, CK_OOPS, CH_DIE),
	HDR("Oops[", NULL, CK_OOPS, CH_DIE),
	HDR("Internal error:", NULL, CK_OOPS, CH_DIE),
	HDR("general protection fault", NULL, CK_OOPS, CH_DIE),
	HDR("divide error:", NULL, CK_OOPS, CH_DIE),
	HDR("divide_error:", NULL, CK_OOPS, CH_DIE),
	HDR("invalid opcode:", NULL, CK_OOPS, CH_DIE),
	HDR("stack segment:", NULL, CK_OOPS, CH_DIE),
	HDR("double fault:", NULL, CK_OOPS, CH_DIE),
	HDR("kernel stack overflow", NULL, CK_OOPS, CH_DIE),

	HDR("kernel BUG at", NULL, CK_BUG, 0),
	HDR("Kernel BUG at", NULL, CK_BUG, 0),
	HDR("BUG:", NULL, CK_BUG, CH_WEAK),

	HDR("WARNING:", NULL, CK_WARNING, CH_WARN),
};

#define NHEADERS (sizeof(headers) / sizeof(headers[0]))

static const char *const kind_names[CK_NKINDS] = {
	[CK_NONE] = "none",
	[CK_PANIC] = "panic",
	[CK_OOPS] = "oops",
	[CK_BUG] = "bug",
	[CK_WARNING] = "warning",
	[CK_KASAN] = "kasan",
	[CK_UBSAN] = "ubsan",
	[CK_KFENCE] = "kfence",
	[CK_KMSAN] = "kmsan",
	[CK_LOCKDEP] = "lockdep",
	[CK_LOCKUP] = "lockup",
	[CK_HUNG_TASK] = "hung-task",
	[CK_CORRUPTION] = "corruption",
};

const char *crash_kind_name(enum crash_kind k)
{
	return k > CK_NONE && k < CK_NKINDS ? kind_names[k] : "none";
}

/* Only kernel WARN()s count, not every message that starts with the word
 * ("WARNING: The mand mount option ...", "WARNING: kernel not compiled
 * with MITIGATION_SRSO."): "CPU: n PID: n at", old "at file:line", the
 * 2025 "[cond] file:line at func+0x", or a file:line or func+0x anywhere.
 * Lockdep's lower-case "WARNING: possible ..." are entries of their own. */
static int is_warning(const char *m)
{
	const char *r = skip_spaces(m + 8);

	return starts_with(r, "CPU:") || starts_with(r, "at ") || *r == '[' ||
	       strstr(r, "+0x") || strstr(r, ".c:") || strstr(r, ".h:");
}

static const struct crash_header *match_at(const char *m)
{
	const struct crash_header *h;

	for (h = headers; h < headers + NHEADERS; h++) {
		if (m[0] != h->prefix[0] || strncmp(m, h->prefix, h->len))
			continue;
		if (h->contains && !strstr(m + h->len, h->contains))
			continue;
		if ((h->flags & CH_WARN) && !is_warning(m))
			continue;
		return h;
	}
	return NULL;
}

const struct crash_header *crash_header_of(const char *msg)
{
	const struct crash_header *h = match_at(msg);
	const char *p = msg;

	if (h || !isalnum((unsigned char)*msg))
		return h;  /* an indented line is no header, prefixed or not */
	/* one subsystem prefix: "watchdog: BUG: ...", "rcu: INFO: ..." */
	while (*p && p - msg <= 24 &&
	       (isalnum((unsigned char)*p) || *p == ' ' || *p == '_' || *p == '-'))
		p++;
	if (p > msg && p[0] == ':' && p[1] == ' ')
		return match_at(p + 2);
	return NULL;
}

int is_crash_header(const char *msg)
{
	return crash_header_of(msg) != NULL;
}

void print_crash_kinds(FILE *out)
{
	const struct crash_header *h;
	int k, col;

	for (k = CK_NONE + 1; k < CK_NKINDS; k++) {
		col = fprintf(out, "  %-11s", kind_names[k]);
		for (h = headers; h < headers + NHEADERS; h++) {
			int w;

			if ((int)h->kind != k)
				continue;
			w = 2 + (int)h->len +
			    (h->contains ? 3 + (int)strlen(h->contains) : 0);
			if (col > 13 && col + 2 + w > 78) {
				fputs(",\n", out);
				col = fprintf(out, "%13s", "");
			} else if (col > 13) {
				col += fprintf(out, ", ");
			}
			col += fprintf(out, "\"%s%s%s\"", h->prefix,
				       h->contains ? "..." : "",
				       h->contains ? h->contains : "");
		}
		fputc('\n', out);
	}
}

int is_cut_here(const char *t)
{
	return starts_with(t, "------------[ cut here ]") ||
	       starts_with(t, "8<--- cut here");
}

int is_report_end(const char *t)
{
	static const char *const ends[] = {
		"---[ end ", "Kernel panic - not syncing", "Kernel Offset:",
		"Rebooting in ", "NMI backtrace for cpu", "Sending NMI from CPU",
		NULL,
	};
	const char *p;
	int i;

	if (is_cut_here(t))
		return 1;
	for (i = 0; ends[i]; i++)
		if (starts_with(t, ends[i]))
			return 1;
	/* KASAN/UBSAN/lockdep reports are framed by a row of '=' */
	for (p = t; *p == '='; p++)
		;
	return p - t >= 10 && !*p;
}

const char *trace_header_rest(const char *t)
{
	static const char *const heads[] = {
		"Call Trace:", "Call trace:", "Backtrace:", NULL,
	};
	int i;

	size_t n = strlen(t);

	for (i = 0; heads[i]; i++)
		if (starts_with(t, heads[i]))
			return skip_spaces(t + strlen(heads[i]));
	/* KFENCE prints its stack under the access line, with no heading:
	 * "Use-after-free read at 0x... (in kfence-#168):",
	 * "Out-of-bounds write at 0x... (8B right of kfence-#3):", "Invalid read at 0x...:" */
	if (n && t[n - 1] == ':' &&
	    (strstr(t, " kfence-#") || starts_with(t, "Invalid read at 0x")))
		return t + n;
	return NULL;
}

int is_register_line(const char *t)
{
	const char *p = t, *q;

	if (starts_with(t, "Code:") || starts_with(t, "Exception stack("))
		return 1;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p == t || p - t > 8 || starts_with(t, "CPU"))
		return 0;
	p = skip_spaces(p);
	if (*p != ':')
		return 0;
	q = p = skip_spaces(p + 1);
	while (isxdigit((unsigned char)*q))
		q++;
	return q - p >= 2;
}

int is_reporting_func(const char *func)
{
	static const char *const exact[] = {
		"dump_stack", "dump_stack_lvl", "__dump_stack", "show_stack",
		"dump_backtrace", "show_trace_log_lvl", "panic", "vpanic",
		"nmi_panic", "__warn", "warn_slowpath_common", "warn_slowpath_null",
		"warn_slowpath_fmt", "__warn_printk", "report_bug", "handle_bug",
		"print_address_description", "print_report", "end_report",
		"start_report", "print_error_description", "check_memory_region",
		"check_memory_region_inline", "ubsan_epilogue", "ubsan_prologue",
		"kfence_report_error", "__might_sleep", "___might_sleep",
		"__might_resched", "__might_fault", "kasan_report",
		"kasan_report_invalid_free", "kasan_check_range",
		"kasan_check_read", "kasan_check_write", "kmsan_report", NULL,
	};
	/* prefixes of sanitizer runtime entry points only, so that test
	 * functions such as kasan_strings are still counted as culprits */
	static const char *const prefix[] = {
		"__kasan_", "____kasan_", "__asan_", "__ubsan_", "__hwasan_",
		"__msan_", "__kmsan_", NULL,
	};
	char b[256];
	int i;

	base_name(func, b, sizeof(b));
	for (i = 0; exact[i]; i++)
		if (!strcmp(b, exact[i]))
			return 1;
	for (i = 0; prefix[i]; i++)
		if (starts_with(b, prefix[i]))
			return 1;
	return 0;
}

int is_bottom_func(const char *func)
{
	static const char *const prefix[] = {
		"ret_from_", "entry_", "system_call", "sysenter_", "syscall_call",
		"ret_fast_syscall", "kernel_thread_helper", "el0", "ret_to_user",
		"work_pending", "start_kernel", "secondary_startup", "start_secondary",
		"cpu_startup_entry", "x86_64_start", "common_startup", "rest_init",
		"cpu_idle", "do_idle", "handle_exception", "__irq_usr", "__irq_svc",
		"vector_swi", "kthread", "ia32_", "int_ret_from", "xen_start",
		"do_syscall", "__do_fast_syscall", "asm_", "exc_", "smpboot_",
		"arch_call_rest_init", "start_kernel_secondary", NULL,
	};
	char b[256];
	int i;

	base_name(func, b, sizeof(b));
	for (i = 0; prefix[i]; i++)
		if (starts_with(b, prefix[i]))
			return 1;
	return 0;
}
