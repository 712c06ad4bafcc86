#define _GNU_SOURCE  /* asprintf */
#include "disasm.h"
#include "spawn.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define LINES_BEFORE 40
#define LINES_AFTER 12
#define BYTES_AFTER 48

/* "  ffffffff81234567:\t0f 0b ..." -> the address, or -1 */
static int insn_addr(const char *line, unsigned long long *a)
{
	char *end;

	line = skip_spaces(line);
	if (!*line)
		return -1;
	*a = strtoull(line, &end, 16);
	return end != line && *end == ':' && end[1] == '\t' ? 0 : -1;
}

static void print_window(FILE *out, char **lines, size_t n, size_t mark)
{
	size_t i, from = mark > LINES_BEFORE ? mark - LINES_BEFORE : 0;

	for (i = from; i < n && i <= mark + LINES_AFTER; i++)
		fprintf(out, "%s%s\n", i == mark ? "--> " : "    ", lines[i]);
}

int print_disasm(FILE *out, const struct resolved *rv)
{
	char *argv[16], *start = NULL, *stop = NULL, *text = NULL, *save = NULL;
	char **lines = NULL, *l;
	size_t a = 0, n = 0, cap = 0, mark = (size_t)-1, len, i;
	unsigned long long end = rv->symval + rv->ksize, a2, mark_addr = 0;
	void *arr = NULL;
	int rc;

	if (!rv->objpath || (rv->status != RES_OK && rv->status != RES_NODEBUG)) {
		fputs("oops-decode: --disasm: the fault was not located in an "
		      "object file\n", stderr);
		return -1;
	}
	if (rv->addr + BYTES_AFTER < end)
		end = rv->addr + BYTES_AFTER;
	if (asprintf(&start, "--start-address=0x%llx", rv->symval) < 0 ||
	    asprintf(&stop, "--stop-address=0x%llx", end) < 0) {
		free(start);
		return -1;
	}
	argv[a++] = "objdump";
	argv[a++] = "-d";
	argv[a++] = "-S";
	argv[a++] = "-w";
	if (rv->is_x86) {
		argv[a++] = "-M";
		argv[a++] = "intel";
	}
	if (rv->is_rel) {
		argv[a++] = "-r";  /* show call targets of the unlinked .ko */
		argv[a++] = "-j";
		argv[a++] = (char *)rv->secname;
	}
	argv[a++] = start;
	argv[a++] = stop;
	argv[a++] = (char *)rv->objpath;
	argv[a] = NULL;
	rc = run_capture(argv, &text, &len);
	free(start);
	free(stop);
	if (rc != 0) {
		fprintf(stderr, "oops-decode: --disasm: objdump failed on %s\n",
			rv->objpath);
		free(text);
		return -1;
	}
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		grow_array(&arr, &cap, n + 1, sizeof(char *));
		lines = arr;
		/* the last instruction starting at or before the pc holds it */
		if (!insn_addr(l, &a2) && a2 <= rv->addr &&
		    (mark == (size_t)-1 || a2 > mark_addr)) {
			mark = n;
			mark_addr = a2;
		}
		lines[n++] = l;
	}
	fprintf(out, "Disassembly (%s, %s), faulting instruction marked -->:\n",
		rv->objpath, rv->secname);
	if (mark == (size_t)-1) {
		fputs("  (no instruction found before the pc)\n", out);
		for (i = 0; i < n && i < LINES_BEFORE; i++)
			fprintf(out, "    %s\n", lines[i]);
	} else {
		if (mark_addr != rv->addr)
			fprintf(out, "  (0x%llx is inside the instruction at 0x%llx: "
				     "is the offset right?)\n", rv->addr, mark_addr);
		print_window(out, lines, n, mark);
	}
	free(lines);
	free(text);
	return 0;
}
