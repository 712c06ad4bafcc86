#include "modfind.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 32

/* Length of the module name in a file name "<mod>.ko[.xz|.zst|.gz|.debug]",
 * or 0 if it is not a module file. */
static size_t module_name_len(const char *name)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz",
					   ".ko.debug", NULL };
	size_t n = strlen(name), m;
	int i;

	for (i = 0; ext[i]; i++) {
		m = strlen(ext[i]);
		if (n > m && !strcmp(name + n - m, ext[i]))
			return n - m;
	}
	return 0;
}

int modfile_is_compressed(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && !strcmp(path + n - 3, ".xz")) ||
	       (n > 4 && !strcmp(path + n - 4, ".zst")) ||
	       (n > 3 && !strcmp(path + n - 3, ".gz"));
}

static void walk(struct modindex *mi, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct sbuf p = { 0 };
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sb_printf(&p, "%s/%s", dir, e->d_name);
		if (lstat(p.s, &st)) {
			sb_free(&p);
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			walk(mi, p.s, depth + 1);
		} else if (module_name_len(e->d_name) &&
			   (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
			void *arr = mi->paths;

			grow_array(&arr, &mi->cap, mi->n + 1, sizeof(char *));
			mi->paths = arr;
			mi->paths[mi->n++] = sb_steal(&p);
			continue;
		}
		sb_free(&p);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void modindex_build(struct modindex *mi, const char *dir)
{
	memset(mi, 0, sizeof(*mi));
	walk(mi, dir, 0);
	if (mi->n)
		qsort(mi->paths, mi->n, sizeof(char *), cmp_str);
}

static int same_module(const char *file, const char *mod)
{
	const char *b = strrchr(file, '/');
	size_t i, n;

	b = b ? b + 1 : file;
	n = module_name_len(b);
	if (strlen(mod) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char x = b[i] == '-' ? '_' : b[i], y = mod[i] == '-' ? '_' : mod[i];

		if (x != y)
			return 0;
	}
	return 1;
}

size_t modindex_next(const struct modindex *mi, const char *mod, size_t from)
{
	size_t i;

	for (i = from; i < mi->n; i++)
		if (same_module(mi->paths[i], mod))
			return i;
	return mi->n;
}

void modindex_free(struct modindex *mi)
{
	size_t i;

	for (i = 0; i < mi->n; i++)
		free(mi->paths[i]);
	free(mi->paths);
	memset(mi, 0, sizeof(*mi));
}
