/* preimage64_args.c: the preimage64 programs' command lines, as a table of their options. */
#include "preimage64_args.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int args_parse(int argc, char **argv, const struct arg *args)
{
  for (int i = 1; i < argc; i++) {
    const struct arg *a = args;
    while (a->name && strcmp(a->name, argv[i]) != 0)
      a++;
    if (!a->name)
      return -1;
    if (a->kind == ARG_FLAG) {
      *(int *)a->dest = 1;
      continue;
    }
    if (i + 1 == argc)
      return -1;
    const char *val = argv[++i];
    if (a->kind == ARG_TEXT)
      *(const char **)a->dest = val;
    else if (a->kind == ARG_U64)
      *(uint64_t *)a->dest = strtoull(val, NULL, 0);
    else if (a->kind == ARG_UINT)
      *(unsigned *)a->dest = (unsigned)strtoul(val, NULL, 0);
    else
      *(double *)a->dest = strtod(val, NULL);
  }
  return 0;
}

int args_usage(const char *synopsis)
{
  fprintf(stderr, "usage: %s\n", synopsis);
  return 2;
}
