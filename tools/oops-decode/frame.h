/* One code location as printed in an oops ("func+0xoff/0xsize [module]"),
 * and the parsers for the line formats that carry such locations. */
#ifndef OOPS_FRAME_H
#define OOPS_FRAME_H

struct frame {
	char *func;        /* symbol name, or a bare "0x..." when unknown */
	char *off, *size;  /* as printed ("0x3f4"); NULL when absent */
	char *module;      /* "[mod]" name without brackets; NULL for vmlinux */
	char *srcloc;      /* "file:line" already present in the log */
	unsigned long long addr, offv, sizev;
	unsigned has_addr : 1;
	unsigned reliable : 1;   /* not a '?' frame */
	unsigned in_irq : 1;     /* between <IRQ> and </IRQ> */
	unsigned after_irq : 1;  /* after the first </IRQ> or <EOI> */
	unsigned is_fault : 1;   /* this frame is the faulting pc itself */
	unsigned is_retaddr : 1; /* a fault site that is a return address */
};

void frame_clear(struct frame *f);
void frame_copy(struct frame *dst, const struct frame *src);

/* Parses "sym+0xoff[/0xsize][ [mod]]" at s. Returns the first character
 * after it, or NULL (f untouched) if s does not start with one. */
const char *parse_symref(const char *s, struct frame *f);

/* Parses a stack-trace line: "[<addr>] ? sym+off/size [mod]" forms, and, if
 * allow_bare, " ? sym+off/size [mod] [file:line]" without an address.
 * Returns 1 and fills f if the whole line is a frame. */
int parse_frame_line(const char *msg, struct frame *f, int allow_bare);

/* ARM "[<pc>] (func) from [<lr>] (caller+off/size)": fills callee (the
 * "(func)" part) and caller (the "from" part). Returns 1 on success. */
int parse_arm_backtrace(const char *msg, struct frame *callee,
			struct frame *caller);

/* Reads "[<hex>]" or "[hex]"; returns the end or NULL. */
const char *parse_bracket_addr(const char *s, unsigned long long *addr);

/* The n bytes at s look like "dir/file.c:123". */
int looks_like_srcloc(const char *s, unsigned long n);

/* Name without compiler clone suffixes: "foo.isra.3" -> "foo". The result
 * is written into out (size outlen). */
void base_name(const char *func, char *out, unsigned long outlen);

#endif
