/* Finds <module>.ko files under the --modules directory. */
#ifndef OOPS_MODFIND_H
#define OOPS_MODFIND_H

#include <stddef.h>

struct modindex {
	char **paths;  /* every *.ko (also .ko.debug/.xz/.zst/.gz), sorted */
	size_t n, cap;
};

/* Walks dir recursively (directory symlinks are not followed, so loops
 * cannot happen). */
void modindex_build(struct modindex *mi, const char *dir);

/* Index of the next path at or after `from` whose file is <mod>.ko, with
 * '-' and '_' treated as equal (as the kernel does); mi->n if none. */
size_t modindex_next(const struct modindex *mi, const char *mod, size_t from);

void modindex_free(struct modindex *mi);

/* .ko.xz/.ko.zst/.ko.gz: found, but not readable without decompressing. */
int modfile_is_compressed(const char *path);

#endif
