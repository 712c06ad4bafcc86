/* Symbol tables of vmlinux / .ko files, read straight from the ELF file
 * (no DWARF: file:line lookup is left to addr2line). Works for 32/64-bit
 * and either byte order; every offset is bounds-checked. */
#ifndef OOPS_ELFSYM_H
#define OOPS_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

struct elfobj;

struct elfsym_match {
	uint64_t value;     /* st_value: section-relative in a .ko */
	uint64_t ksize;     /* size as kallsyms computes it */
	const char *secname;
	int exact;          /* ksize equals the size printed in the oops */
	int ncand;          /* symbols with this name */
};

/* NULL on failure, with a reason in err. */
struct elfobj *elfobj_open(const char *path, char *err, size_t errlen);
void elfobj_close(struct elfobj *o);

int elfobj_is_rel(const struct elfobj *o);     /* ET_REL: a .ko */
int elfobj_is_x86(const struct elfobj *o);
int elfobj_addr_width(const struct elfobj *o); /* 16 or 8 hex digits */
int elfobj_has_debug_line(const struct elfobj *o);

/* Finds function `name`; when have_size, prefers the duplicate whose
 * kallsyms size is `size` (as scripts/faddr2line does). Returns 0 if there
 * is no such symbol. */
int elfobj_lookup(struct elfobj *o, const char *name, int have_size,
		  uint64_t size, uint64_t off, struct elfsym_match *m);

#endif
