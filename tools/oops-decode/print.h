/* Output formats: the corpus key/value lines and the readable report. */
#ifndef OOPS_PRINT_H
#define OOPS_PRINT_H

#include <stdio.h>

#include "parse.h"

struct resolution;

/* "key: value" lines; "none" where a value does not exist. */
void print_keys(FILE *out, const struct report *r);

/* Readable report; res may be NULL when nothing was resolved. */
void print_report(FILE *out, const struct report *r,
		  const struct resolution *res);

#endif
