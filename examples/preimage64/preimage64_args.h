/* preimage64_args.h: the preimage64 programs' command lines, as a table of their options. */
#ifndef PREIMAGE64_ARGS_H
#define PREIMAGE64_ARGS_H

enum arg_kind {
  ARG_FLAG,   /* no value: sets an int to 1 */
  ARG_TEXT,   /* const char * */
  ARG_U64,    /* uint64_t, as strtoull reads it (0x... too) */
  ARG_UINT,   /* unsigned, likewise */
  ARG_DOUBLE, /* double */
};

struct arg {
  const char *name; /* "--count" */
  enum arg_kind kind;
  void *dest;
};

/* Parses argv[1..argc) against args (ended by a NULL name), each "--name VALUE" or "--name" for a
 * flag. Returns 0, or -1 at an option not in args or one missing its value. */
int args_parse(int argc, char **argv, const struct arg *args);

/* Prints "usage: @synopsis" on stderr. Returns 2, main's status for a bad command line. */
int args_usage(const char *synopsis);

#endif
