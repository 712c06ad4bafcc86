/* --classify: every crash report of a whole console log, one line each,
 * so that callers need no crash patterns of their own. */
#ifndef OOPS_CLASSIFY_H
#define OOPS_CLASSIFY_H

#include <stddef.h>
#include <stdio.h>

/* Prints "KIND\tFIRST-LINE" per crash report, in log order, and returns
 * how many reports there were. Any byte sequence is accepted. */
size_t classify_log(FILE *out, const char *data, size_t len);

#endif
