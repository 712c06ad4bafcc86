#include "kpatterns.h"
#include "frame.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

static const char *const headers[] = {
	"BUG:", "kernel BUG at", "Kernel BUG at", "Oops:", "Oops[",
	"general protection fault", "KASAN:", "UBSAN:", "KFENCE:", "KMSAN:",
	"divide error:", "divide_error:", "invalid opcode:", "stack segment:",
	"double fault:", "Unable to handle kernel", "Internal error:",
	"Kernel panic - not syncing", "INFO: rcu", "INFO: task ",
	"INFO: trying to register non-static key", "INFO: NMI handler",
	"Watchdog detected hard LOCKUP", "SError Interrupt",
	"PANIC: double fault", "PANIC: early exception", "Bad mode in",
	"kernel stack overflow", NULL,
};

/* Only kernel WARN()s and lockdep/RCU reports count, not every message
 * that starts with the word (e.g. "WARNING: The mand mount option ..."). */
static int is_warning(const char *m)
{
	const char *r;

	if (!starts_with(m, "WARNING:"))
		return 0;
	r = skip_spaces(m + 8);
	return starts_with(r, "CPU:") || starts_with(r, "at ") || *r == '[' ||
	       islower((unsigned char)*r) || strstr(r, "+0x") ||
	       strstr(r, ".c:") || strstr(r, ".h:");
}

static int match_at(const char *m)
{
	int i;

	if (is_warning(m))
		return 1;
	for (i = 0; headers[i]; i++)
		if (starts_with(m, headers[i]))
			return 1;
	return 0;
}

int is_crash_header(const char *msg)
{
	const char *p = msg;

	if (match_at(msg))
		return 1;
	/* one subsystem prefix: "watchdog: BUG: ...", "rcu: INFO: ..." */
	while (*p && p - msg <= 24 &&
	       (isalnum((unsigned char)*p) || *p == ' ' || *p == '_' || *p == '-'))
		p++;
	if (p > msg && p[0] == ':' && p[1] == ' ')
		return match_at(p + 2);
	return 0;
}

int is_report_end(const char *t)
{
	static const char *const ends[] = {
		"---[ end ", "Kernel panic - not syncing", "Kernel Offset:",
		"Rebooting in ", "NMI backtrace for cpu", "Sending NMI from CPU",
		"------------[ cut here ]", NULL,
	};
	const char *p;
	int i;

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

	for (i = 0; heads[i]; i++)
		if (starts_with(t, heads[i]))
			return skip_spaces(t + strlen(heads[i]));
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
