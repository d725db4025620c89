/* pu_list.h: parses processing-unit lists such as "0,2-3" strictly. */
#ifndef SYNTH_DEVICES_CPU_PU_LIST_H
#define SYNTH_DEVICES_CPU_PU_LIST_H

#include <stddef.h>

#define SYNTH_PU_LIST_MAX 4096

/* Parses a comma-separated list of numbers and ascending ranges ("0,2-3,8") into out, in the
 * order given. Returns 0, or SYNTH_EINVAL for anything else: empty items, signs, spaces,
 * descending ranges, duplicates, numbers above 65535, more than max entries. */
int synth__pu_list_parse(const char *text, unsigned *out, size_t max, size_t *count);

#endif
