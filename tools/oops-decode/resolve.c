#define _GNU_SOURCE  /* vasprintf, asprintf */
#include "resolve.h"
#include "elfsym.h"
#include "modfind.h"
#include "spawn.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct objent {
	char *module;        /* NULL for vmlinux */
	char *path;          /* NULL when the object is missing */
	struct elfobj *elf;
	int tool_failed;     /* addr2line could not be run on it */
};

/* What resolve_report works with and closes before it returns. */
struct resolver {
	struct resolution *res;
	struct objent *objs;
	size_t nobjs, objcap;
	struct modindex mods;
	int mods_built;
	const char *vmlinux, *moddir;
	size_t notecap;
};

struct job {
	const struct frame *f;
	struct resolved *rv;
	struct objent *obj;
	int located;   /* symbol found, address known */
	int batched;   /* already given to addr2line */
};

static void add_note(struct resolver *rs, char *note)
{
	struct resolution *res = rs->res;
	size_t i;
	void *arr = res->notes;

	for (i = 0; i < res->nnotes; i++)
		if (!strcmp(res->notes[i], note)) {
			free(note);
			return;
		}
	grow_array(&arr, &rs->notecap, res->nnotes + 1, sizeof(char *));
	res->notes = arr;
	res->notes[res->nnotes++] = note;
}

static void notef(struct resolver *rs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void notef(struct resolver *rs, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		add_note(rs, s);
}

/* Opens the first candidate with line info, else the first ELF one. */
static void open_module(struct resolver *rs, struct objent *o)
{
	size_t i = modindex_next(&rs->mods, o->module, 0);
	char err[256];

	for (; i < rs->mods.n; i = modindex_next(&rs->mods, o->module, i + 1)) {
		struct elfobj *e;

		if (modfile_is_compressed(rs->mods.paths[i])) {
			notef(rs, "module %s: %s is compressed; decompress it to "
				   "resolve its frames", o->module, rs->mods.paths[i]);
			continue;
		}
		e = elfobj_open(rs->mods.paths[i], err, sizeof(err));
		if (!e) {
			notef(rs, "module %s: cannot use %s: %s", o->module,
			      rs->mods.paths[i], err);
			continue;
		}
		if (o->elf && !elfobj_has_debug_line(e)) {
			elfobj_close(e);
			continue;
		}
		elfobj_close(o->elf);
		free(o->path);
		o->elf = e;
		o->path = xstrdup(rs->mods.paths[i]);
		if (elfobj_has_debug_line(e))
			return;
	}
}

static struct objent *get_object(struct resolver *rs, const char *module)
{
	struct objent *o;
	void *arr = rs->objs;
	size_t i;
	char err[256];

	for (i = 0; i < rs->nobjs; i++) {
		o = &rs->objs[i];
		if (module ? o->module && !strcmp(o->module, module) : !o->module)
			return o;
	}
	grow_array(&arr, &rs->objcap, rs->nobjs + 1, sizeof(struct objent));
	rs->objs = arr;
	o = &rs->objs[rs->nobjs++];
	memset(o, 0, sizeof(*o));
	if (!module) {
		if (!rs->vmlinux) {
			notef(rs, "no --vmlinux given: kernel frames are left as "
				   "symbol+offset");
			return o;
		}
		o->elf = elfobj_open(rs->vmlinux, err, sizeof(err));
		if (o->elf)
			o->path = xstrdup(rs->vmlinux);
		else
			notef(rs, "cannot use vmlinux %s: %s", rs->vmlinux, err);
		return o;
	}
	o->module = xstrdup(module);
	if (!rs->moddir) {
		notef(rs, "no --modules given: frames of module %s are left as "
			   "symbol+offset", module);
		return o;
	}
	if (!rs->mods_built) {
		modindex_build(&rs->mods, rs->moddir);
		rs->mods_built = 1;
	}
	open_module(rs, o);
	if (!o->elf)
		notef(rs, "module %s: no usable %s.ko under %s: its frames are "
			   "left as symbol+offset", module, module, rs->moddir);
	return o;
}

/* Symbol lookup; fills everything but the source lines. */
static void locate(struct resolver *rs, struct job *j)
{
	const struct frame *f = j->f;
	struct resolved *rv = j->rv;
	struct elfsym_match m;
	int ret = f->offv > 0 && (f->is_retaddr ||
				  (!f->is_fault && j->rv != &rs->res->fault));

	rv->objpath = j->obj->path ? xstrdup(j->obj->path) : NULL;
	if (!j->obj->elf) {
		rv->status = RES_NOOBJ;
		return;
	}
	if (!elfobj_lookup(j->obj->elf, f->func, f->size != NULL, f->sizev,
			   f->offv, &m)) {
		rv->status = RES_NOSYM;
		notef(rs, "symbol %s not found in %s", f->func, j->obj->path);
		return;
	}
	/* A lone symbol whose size differs is still the one (a module's last
	 * function gets the size of its whole region once loaded); duplicates
	 * without the printed size, or an offset past the end, are suspect. */
	if (!m.exact && m.ncand > 1) {
		notef(rs, "%s: %d symbols of that name in %s, none of size %s; "
			   "used one of size 0x%llx", f->func, m.ncand,
		      j->obj->path, f->size ? f->size : "(not printed)",
		      (unsigned long long)m.ksize);
		rs->res->partial = 1;
	} else if (f->offv > m.ksize) {
		notef(rs, "%s+%s is past the end of %s in %s (size 0x%llx): is "
			   "this the crashed kernel's build?", f->func, f->off,
		      f->func, j->obj->path, (unsigned long long)m.ksize);
	}
	rv->secname = xstrdup(m.secname);
	rv->symval = m.value;
	rv->ksize = m.ksize;
	rv->width = elfobj_addr_width(j->obj->elf);
	rv->is_rel = elfobj_is_rel(j->obj->elf);
	rv->is_x86 = elfobj_is_x86(j->obj->elf);
	/* A return address points after the call; pc-1 is inside it. */
	rv->adjusted = ret;
	rv->addr = m.value + f->offv - (ret ? 1 : 0);
	j->located = 1;
}

static int is_addr_line(const char *s)
{
	if (s[0] != '0' || s[1] != 'x')
		return 0;
	for (s += 2; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return 0;
	return 1;
}

static void add_srcline(struct resolved *rv, const char *func, const char *loc)
{
	rv->lines = xrealloc(rv->lines, (rv->nlines + 1) * sizeof(struct srcline));
	rv->lines[rv->nlines].func = xstrdup(func);
	rv->lines[rv->nlines].loc = xstrdup(loc);
	rv->nlines++;
}

/* Output of "addr2line -a -i -f": per address a "0x..." line, then
 * function/location line pairs, innermost inline first. */
static void parse_a2l(char *out, struct resolved **rvs, size_t n)
{
	char *save = NULL, *line, *func = NULL;
	size_t k = 0;
	int have = 0;

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (is_addr_line(line)) {
			have = k < n;
			k++;
			func = NULL;
			continue;
		}
		if (!have)
			continue;
		if (!func) {
			func = line;
			continue;
		}
		add_srcline(rvs[k - 1], func, line);
		func = NULL;
	}
}

static void run_batch(struct resolver *rs, struct objent *o,
		      const char *sec, struct resolved **rvs, size_t n)
{
	char **argv = xcalloc(n + 9, sizeof(char *));
	char *out = NULL;
	size_t i, a = 0, outlen;
	int rc;

	argv[a++] = "addr2line";
	argv[a++] = "-a";
	argv[a++] = "-i";
	argv[a++] = "-f";
	argv[a++] = "-e";
	argv[a++] = o->path;
	if (sec) {
		/* .ko symbol values are section-relative (scripts/faddr2line) */
		argv[a++] = "-j";
		argv[a++] = (char *)sec;
	}
	for (i = 0; i < n; i++) {
		argv[a] = NULL;
		if (asprintf(&argv[a], "0x%llx", rvs[i]->addr) < 0)
			argv[a] = NULL;
		if (argv[a])
			a++;
	}
	argv[a] = NULL;
	rc = run_capture(argv, &out, &outlen);
	if (rc < 0) {
		notef(rs, "could not run addr2line on %s (binutils installed?)",
		      o->path);
		o->tool_failed = 1;
	} else
		parse_a2l(out, rvs, n);
	for (i = sec ? 8 : 6; i < a; i++)
		free(argv[i]);
	free(argv);
	free(out);
}

/* The kernel tree's absolute path, learnt from where start_kernel lives
 * (as scripts/faddr2line does), is cut from every file name. */
static char *tree_prefix(const struct resolved *sk)
{
	const char *loc, *m;

	if (!sk->nlines)
		return NULL;
	loc = sk->lines[sk->nlines - 1].loc;
	m = strstr(loc, "init/main.c:");
	if (!m || m == loc)
		return NULL;
	return xstrndup(loc, (size_t)(m - loc));
}

static void finish(struct resolver *rs, struct resolved *rv,
		   const struct objent *o, const char *prefix)
{
	size_t i, n = prefix ? strlen(prefix) : 0;

	if (!rv->nlines || starts_with(rv->lines[0].loc, "??")) {
		rv->status = RES_NODEBUG;
		if (!o->tool_failed)
			notef(rs, "no line information in %s (built without "
				   "debug info?)", o->path);
		return;
	}
	rv->status = RES_OK;
	for (i = 0; n && i < rv->nlines; i++)
		if (starts_with(rv->lines[i].loc, prefix))
			memmove(rv->lines[i].loc, rv->lines[i].loc + n,
				strlen(rv->lines[i].loc + n) + 1);
}

static void resolve_object(struct resolver *rs, struct objent *o,
			   struct job *jobs, size_t njobs, char **prefix)
{
	struct resolved **rvs = xcalloc(njobs + 1, sizeof(*rvs));
	struct resolved sk;
	struct elfsym_match m;
	size_t i, k, n;

	memset(&sk, 0, sizeof(sk));
	for (i = 0; i < njobs; i++) {
		const char *sec;

		if (jobs[i].obj != o || !jobs[i].located || jobs[i].batched)
			continue;
		sec = jobs[i].rv->is_rel ? jobs[i].rv->secname : NULL;
		/* one addr2line per object (per section of a .ko) */
		n = 0;
		for (k = i; k < njobs; k++) {
			if (jobs[k].obj != o || !jobs[k].located || jobs[k].batched)
				continue;
			if (sec && strcmp(jobs[k].rv->secname, sec))
				continue;
			jobs[k].batched = 1;
			rvs[n++] = jobs[k].rv;
		}
		if (!o->module && !*prefix && !sec &&
		    elfobj_lookup(o->elf, "start_kernel", 0, 0, 0, &m)) {
			sk.addr = m.value;
			rvs[n++] = &sk;
		}
		run_batch(rs, o, sec, rvs, n);
		if (!o->module && !*prefix)
			*prefix = tree_prefix(&sk);
	}
	for (i = 0; i < sk.nlines; i++) {
		free(sk.lines[i].func);
		free(sk.lines[i].loc);
	}
	free(sk.lines);
	free(rvs);
}

/* The objects are closed once every frame is resolved: what the report
 * keeps (paths, section names) was copied into it. */
static void resolver_close(struct resolver *rs)
{
	size_t i;

	for (i = 0; i < rs->nobjs; i++) {
		free(rs->objs[i].module);
		free(rs->objs[i].path);
		elfobj_close(rs->objs[i].elf);
	}
	free(rs->objs);
	if (rs->mods_built)
		modindex_free(&rs->mods);
}

void resolve_report(const struct report *r, const char *vmlinux,
		    const char *moddir, struct resolution *res)
{
	struct job *jobs = xcalloc(r->nframes + 1, sizeof(struct job));
	struct resolver rs;
	size_t i, nj = 0, nrel = 0;
	char *prefix = NULL;

	memset(res, 0, sizeof(*res));
	memset(&rs, 0, sizeof(rs));
	rs.res = res;
	rs.vmlinux = vmlinux;
	rs.moddir = moddir;
	res->frames = xcalloc(r->nframes + 1, sizeof(struct resolved));
	res->nframes = r->nframes;
	for (i = 0; i < r->nframes; i++)
		nrel += r->frames[i].reliable;
	if (r->has_fault && r->fault.off) {
		jobs[nj].f = &r->fault;
		jobs[nj++].rv = &res->fault;
	}
	for (i = 0; i < r->nframes; i++) {
		/* '?' frames are only shown when there is nothing else */
		if (!r->frames[i].off || (nrel && !r->frames[i].reliable))
			continue;
		jobs[nj].f = &r->frames[i];
		jobs[nj++].rv = &res->frames[i];
	}
	for (i = 0; i < nj; i++) {
		jobs[i].obj = get_object(&rs, jobs[i].f->module);
		locate(&rs, &jobs[i]);
	}
	/* vmlinux first so its tree prefix is known for the modules too */
	for (i = 0; i < rs.nobjs; i++)
		if (rs.objs[i].elf && !rs.objs[i].module)
			resolve_object(&rs, &rs.objs[i], jobs, nj, &prefix);
	for (i = 0; i < rs.nobjs; i++)
		if (rs.objs[i].elf && rs.objs[i].module)
			resolve_object(&rs, &rs.objs[i], jobs, nj, &prefix);
	for (i = 0; i < nj; i++) {
		if (jobs[i].located)
			finish(&rs, jobs[i].rv, jobs[i].obj, prefix);
		if (jobs[i].rv->status != RES_OK)
			res->partial = 1;
	}
	free(prefix);
	free(jobs);
	resolver_close(&rs);
}

static void free_resolved(struct resolved *rv)
{
	size_t i;

	for (i = 0; i < rv->nlines; i++) {
		free(rv->lines[i].func);
		free(rv->lines[i].loc);
	}
	free(rv->lines);
	free(rv->objpath);
	free(rv->secname);
}

void resolution_free(struct resolution *res)
{
	size_t i;

	free_resolved(&res->fault);
	for (i = 0; i < res->nframes; i++)
		free_resolved(&res->frames[i]);
	free(res->frames);
	for (i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	memset(res, 0, sizeof(*res));
}
