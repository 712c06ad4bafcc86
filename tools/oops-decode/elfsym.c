#include "elfsym.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct sec {
	const char *name;
	uint64_t addr, size, offset, flags, entsize;
	uint32_t type, link, name_off;
};

struct sym {
	const char *name;
	uint64_t value, size;
	uint32_t shndx;
	unsigned char type;
};

struct kent {  /* (section, address) of every code symbol, sorted */
	uint32_t shndx;
	uint64_t value;
};

struct elfobj {
	const unsigned char *map;
	size_t size;
	int is64, swap;
	unsigned type, machine;
	struct sec *secs;
	size_t nsecs;
	const unsigned char *symtab;
	size_t nsyms, syment;
	const char *strtab;
	size_t strsize;
	uint32_t *hash;      /* name -> symbol index + 1, open addressing */
	size_t hashcap;
	struct kent *kents;  /* built on first use */
	size_t nkents;
};

static uint16_t rd16(const struct elfobj *o, const unsigned char *p)
{
	return o->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const struct elfobj *o, const unsigned char *p)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= (uint32_t)p[o->swap ? 3 - i : i] << (8 * i);
	return v;
}

static uint64_t rd64(const struct elfobj *o, const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[o->swap ? 7 - i : i] << (8 * i);
	return v;
}

static int in_file(const struct elfobj *o, uint64_t off, uint64_t len)
{
	return off <= o->size && len <= o->size - off;
}

static const char *str_at(const char *tab, size_t tabsize, uint64_t off)
{
	if (off >= tabsize || !memchr(tab + off, '\0', tabsize - off))
		return NULL;
	return tab + off;
}

static int read_sections(struct elfobj *o, char *err, size_t errlen)
{
	const unsigned char *eh = o->map;
	uint64_t shoff = o->is64 ? rd64(o, eh + 40) : rd32(o, eh + 32);
	size_t shentsize = rd16(o, eh + (o->is64 ? 58 : 46));
	size_t shnum = rd16(o, eh + (o->is64 ? 60 : 48));
	size_t shstrndx = rd16(o, eh + (o->is64 ? 62 : 50));
	size_t need = o->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	const char *shstr = NULL;
	size_t shstrsize = 0, i;

	if (!shoff || shentsize < need || !in_file(o, shoff, shentsize)) {
		snprintf(err, errlen, "no section headers");
		return -1;
	}
	/* huge section counts live in section 0 */
	if (!shnum)
		shnum = (size_t)(o->is64 ? rd64(o, o->map + shoff + 32)
					 : rd32(o, o->map + shoff + 20));
	if (shstrndx == SHN_XINDEX)
		shstrndx = rd32(o, o->map + shoff + (o->is64 ? 40 : 24));
	if (!shnum || shnum > o->size / shentsize ||
	    !in_file(o, shoff, (uint64_t)shnum * shentsize)) {
		snprintf(err, errlen, "bad section header table");
		return -1;
	}
	o->secs = xcalloc(shnum, sizeof(struct sec));
	o->nsecs = shnum;
	for (i = 0; i < shnum; i++) {
		const unsigned char *p = o->map + shoff + i * shentsize;
		struct sec *s = &o->secs[i];

		s->type = rd32(o, p + 4);
		if (o->is64) {
			s->flags = rd64(o, p + 8);
			s->addr = rd64(o, p + 16);
			s->offset = rd64(o, p + 24);
			s->size = rd64(o, p + 32);
			s->link = rd32(o, p + 40);
			s->entsize = rd64(o, p + 56);
		} else {
			s->flags = rd32(o, p + 8);
			s->addr = rd32(o, p + 12);
			s->offset = rd32(o, p + 16);
			s->size = rd32(o, p + 20);
			s->link = rd32(o, p + 24);
			s->entsize = rd32(o, p + 36);
		}
		s->name_off = rd32(o, p);
	}
	if (shstrndx < shnum && o->secs[shstrndx].type != SHT_NOBITS &&
	    in_file(o, o->secs[shstrndx].offset, o->secs[shstrndx].size)) {
		shstr = (const char *)o->map + o->secs[shstrndx].offset;
		shstrsize = o->secs[shstrndx].size;
	}
	for (i = 0; i < shnum; i++) {
		const char *n = shstr ? str_at(shstr, shstrsize,
					       o->secs[i].name_off) : NULL;

		o->secs[i].name = n ? n : "";
	}
	return 0;
}

static void find_symtab(struct elfobj *o)
{
	size_t i, need = o->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);

	for (i = 0; i < o->nsecs; i++) {
		const struct sec *s = &o->secs[i], *st;

		if (s->type != SHT_SYMTAB || s->entsize < need ||
		    !in_file(o, s->offset, s->size) || s->link >= o->nsecs)
			continue;
		st = &o->secs[s->link];
		if (st->type == SHT_NOBITS || !in_file(o, st->offset, st->size))
			continue;
		o->symtab = o->map + s->offset;
		o->syment = s->entsize;
		o->nsyms = s->size / s->entsize;
		o->strtab = (const char *)o->map + st->offset;
		o->strsize = st->size;
		return;
	}
}

struct elfobj *elfobj_open(const char *path, char *err, size_t errlen)
{
	struct elfobj *o;
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < sizeof(Elf32_Ehdr)) {
		snprintf(err, errlen, "not an ELF file");
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return NULL;
	}
	o = xcalloc(1, sizeof(*o));
	o->map = map;
	o->size = (size_t)st.st_size;
	if (memcmp(o->map, ELFMAG, SELFMAG) ||
	    (o->map[EI_CLASS] != ELFCLASS32 && o->map[EI_CLASS] != ELFCLASS64) ||
	    (o->map[EI_DATA] != ELFDATA2LSB && o->map[EI_DATA] != ELFDATA2MSB)) {
		snprintf(err, errlen, "not an ELF file");
		goto fail;
	}
	o->is64 = o->map[EI_CLASS] == ELFCLASS64;
	o->swap = o->map[EI_DATA] == ELFDATA2MSB;
	if (o->is64 && o->size < sizeof(Elf64_Ehdr)) {
		snprintf(err, errlen, "truncated ELF header");
		goto fail;
	}
	o->type = rd16(o, o->map + 16);
	o->machine = rd16(o, o->map + 18);
	if (read_sections(o, err, errlen))
		goto fail;
	find_symtab(o);
	if (!o->symtab) {
		snprintf(err, errlen, "no symbol table (stripped?)");
		goto fail;
	}
	return o;
fail:
	elfobj_close(o);
	return NULL;
}

void elfobj_close(struct elfobj *o)
{
	if (!o)
		return;
	munmap((void *)o->map, o->size);
	free(o->secs);
	free(o->hash);
	free(o->kents);
	free(o);
}

int elfobj_is_rel(const struct elfobj *o)
{
	return o->type == ET_REL;
}

int elfobj_is_x86(const struct elfobj *o)
{
	return o->machine == EM_X86_64 || o->machine == EM_386;
}

int elfobj_addr_width(const struct elfobj *o)
{
	return o->is64 ? 16 : 8;
}

int elfobj_has_debug_line(const struct elfobj *o)
{
	size_t i;

	for (i = 0; i < o->nsecs; i++)
		if (!strcmp(o->secs[i].name, ".debug_line") ||
		    !strcmp(o->secs[i].name, ".zdebug_line"))
			return 1;
	return 0;
}

static int get_sym(const struct elfobj *o, size_t i, struct sym *s)
{
	const unsigned char *p = o->symtab + i * o->syment;
	unsigned char info;

	if (o->is64) {
		info = p[4];
		s->shndx = rd16(o, p + 6);
		s->value = rd64(o, p + 8);
		s->size = rd64(o, p + 16);
	} else {
		s->value = rd32(o, p + 4);
		s->size = rd32(o, p + 8);
		info = p[12];
		s->shndx = rd16(o, p + 14);
	}
	s->type = ELF64_ST_TYPE(info);
	s->name = str_at(o->strtab, o->strsize, rd32(o, p));
	return s->name != NULL;
}

/* Symbols that can name code: functions and assembler labels in an
 * executable section. */
static int is_code_sym(const struct elfobj *o, const struct sym *s)
{
	if (s->type != STT_FUNC && s->type != STT_NOTYPE &&
	    s->type != STT_GNU_IFUNC)
		return 0;
	if (s->shndx == SHN_UNDEF || s->shndx >= o->nsecs ||
	    s->shndx >= SHN_LORESERVE)
		return 0;
	return (o->secs[s->shndx].flags & SHF_EXECINSTR) != 0;
}

/* ARM/AArch64 "$x"/"$d" and local ".L" labels are not kallsyms symbols. */
static int is_mapping_sym(const char *name)
{
	return name[0] == '$' || starts_with(name, ".L") || starts_with(name, "L0");
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void build_hash(struct elfobj *o)
{
	size_t i, cap = 16;
	struct sym s;

	while (cap < o->nsyms * 2)
		cap *= 2;
	o->hash = xcalloc(cap, sizeof(uint32_t));
	o->hashcap = cap;
	for (i = 0; i < o->nsyms && i < UINT32_MAX - 1; i++) {
		size_t h;

		if (!get_sym(o, i, &s) || !s.name[0] || !is_code_sym(o, &s))
			continue;
		h = hash_name(s.name) & (cap - 1);
		while (o->hash[h])
			h = (h + 1) & (cap - 1);
		o->hash[h] = (uint32_t)i + 1;
	}
}

static int kent_cmp(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

static void build_kents(struct elfobj *o)
{
	size_t i;
	struct sym s;

	o->kents = xcalloc(o->nsyms ? o->nsyms : 1, sizeof(struct kent));
	for (i = 0; i < o->nsyms; i++) {
		if (!get_sym(o, i, &s) || !is_code_sym(o, &s) ||
		    is_mapping_sym(s.name))
			continue;
		o->kents[o->nkents].shndx = s.shndx;
		o->kents[o->nkents].value = s.value;
		o->nkents++;
	}
	qsort(o->kents, o->nkents, sizeof(struct kent), kent_cmp);
}

/* kallsyms size: distance to the next symbol of the section that is not
 * inside this one (aliases at the same address are skipped), or to the
 * section end for the last symbol. */
static uint64_t kallsyms_size(struct elfobj *o, const struct sym *s)
{
	uint64_t t = s->value + (s->size ? s->size : 1);
	size_t lo = 0, hi;
	const struct sec *sec = &o->secs[s->shndx];

	if (!o->kents)
		build_kents(o);
	hi = o->nkents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct kent *k = &o->kents[mid];

		if (k->shndx < s->shndx || (k->shndx == s->shndx && k->value < t))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < o->nkents && o->kents[lo].shndx == s->shndx)
		return o->kents[lo].value - s->value;
	/* a .ko section starts at 0; vmlinux sections at their address */
	if (o->type != ET_REL && sec->addr + sec->size > s->value)
		return sec->addr + sec->size - s->value;
	return sec->size > s->value ? sec->size - s->value : s->size;
}

int elfobj_lookup(struct elfobj *o, const char *name, int have_size,
		  uint64_t size, uint64_t off, struct elfsym_match *m)
{
	size_t h;
	int best = 0;  /* 3 exact size, 2 offset fits, 1 name only */

	memset(m, 0, sizeof(*m));
	if (!o->hash)
		build_hash(o);
	for (h = hash_name(name) & (o->hashcap - 1); o->hash[h];
	     h = (h + 1) & (o->hashcap - 1)) {
		struct sym s;
		uint64_t ks;
		int score;

		if (!get_sym(o, o->hash[h] - 1, &s) || strcmp(s.name, name))
			continue;
		m->ncand++;
		ks = kallsyms_size(o, &s);
		score = (have_size && ks == size && off <= ks) ? 3 :
			off <= ks ? 2 : 1;
		if (score <= best)
			continue;
		best = score;
		m->value = s.value;
		m->ksize = ks;
		m->secname = o->secs[s.shndx].name;
	}
	m->exact = have_size ? best == 3 : m->ncand == 1;
	return best != 0;
}
