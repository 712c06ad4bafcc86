/* Runs a helper program (addr2line, objdump) and captures its stdout. */
#ifndef OOPS_SPAWN_H
#define OOPS_SPAWN_H

#include <stddef.h>

/* Runs argv[0] from PATH with stdin and stderr on /dev/null. On success
 * returns the exit status and a malloc'ed NUL-terminated *out; returns -1
 * if it could not be started or was killed by a signal. */
int run_capture(char *const argv[], char **out, size_t *outlen);

#endif
