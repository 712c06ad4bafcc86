/* objdump -d -S around the faulting instruction, marked with "-->". */
#ifndef OOPS_DISASM_H
#define OOPS_DISASM_H

#include <stdio.h>

#include "resolve.h"

/* rv must be a located fault (status RES_OK or RES_NODEBUG). Returns 0 if
 * the disassembly was printed, else -1 with a reason on stderr. */
int print_disasm(FILE *out, const struct resolved *rv);

#endif
