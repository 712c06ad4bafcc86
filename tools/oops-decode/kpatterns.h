/* What the kernel prints: crash-report headers, report terminators, the
 * reporting machinery's own frames, stack-bottom frames, register dumps. */
#ifndef OOPS_KPATTERNS_H
#define OOPS_KPATTERNS_H

/* msg starts a crash report (BUG:, Oops, KASAN:, WARNING:, panic, ...). */
int is_crash_header(const char *msg);

/* msg (leading blanks removed) closes the report ("---[ end trace", ...). */
int is_report_end(const char *t);

/* "Call Trace:", "Call trace:", "Backtrace:"; returns text after it. */
const char *trace_header_rest(const char *t);

/* Register dump, "Code:", stack hex dump: noise inside a trace. */
int is_register_line(const char *t);

/* Frames that only exist because something is being reported. */
int is_reporting_func(const char *func);

/* Frames a complete kernel stack normally ends with. */
int is_bottom_func(const char *func);

#endif
