/* libFuzzer harness: arbitrary bytes as a console log (parser, both
 * output formats, --classify), and, for inputs that look like ELF, the
 * symbol reader. */
#define _GNU_SOURCE  /* memfd_create */
#include "classify.h"
#include "elfsym.h"
#include "parse.h"
#include "print.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_elf(const uint8_t *data, size_t size)
{
	struct elfsym_match m;
	struct elfobj *o;
	char path[64], err[128];
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		o = elfobj_open(path, err, sizeof(err));
		if (o) {
			elfobj_lookup(o, "main", 1, 0x20, 0x4, &m);
			elfobj_lookup(o, "start_kernel", 0, 0, 0, &m);
			elfobj_close(o);
		}
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct report r;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (oops_parse((const char *)data, size, &r) && devnull) {
		print_keys(devnull, &r);
		print_report(devnull, &r, NULL);
	}
	report_free(&r);
	if (devnull)
		classify_log(devnull, (const char *)data, size);
	if (size >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' &&
	    data[3] == 'F')
		fuzz_elf(data, size);
	return 0;
}
