/* options.h: strict, table-driven parsing of a subcommand's flags. */
#ifndef SYNTH_CLI_OPTIONS_H
#define SYNTH_CLI_OPTIONS_H

#include <stdbool.h>

enum cli_opt_type {
  CLI_FLAG,   /* bool, no value */
  CLI_STRING, /* const char *, non-empty */
  CLI_UINT,   /* unsigned, decimal, within [min, max] */
  CLI_DOUBLE, /* double, finite, within [min, max] */
  CLI_LIST,   /* struct cli_list: each use appends one non-empty value, at most max of them */
};

#define CLI_LIST_MAX 16
struct cli_list {
  const char *items[CLI_LIST_MAX];
  unsigned count;
};

struct cli_option {
  const char *name; /* "--threads" */
  char shortname;   /* 'h', or 0 */
  enum cli_opt_type type;
  void *dest;
  double min, max;
  const char *arg; /* what the value is, for --help: "N" */
  const char *help;
};

/* The end of every command's table: its --help flag (into the bool help), then the NULL name
 * cli_parse stops at. */
/* clang-format off */
#define CLI_OPTIONS_END(help)                                        \
  {"--help", 'h', CLI_FLAG, &(help), 0, 0, NULL, "show this help"}, \
  {NULL, 0, 0, NULL, 0, 0, NULL, NULL}
/* clang-format on */

/* Exit status for bad usage: unknown flags, bad values, impossible device lists. */
#define CLI_EXIT_USAGE 2

/*
 * Parses argv[0..argc) against opts (ended by a NULL name); both "--name value" and
 * "--name=value" are accepted. Returns 0, or prints one line to stderr and returns
 * CLI_EXIT_USAGE.
 */
int cli_parse(const char *command, const struct cli_option *opts, int argc, char **argv);

/* Prints the option table as help text. */
void cli_print_options(const struct cli_option *opts);

/* cli_parse for a subcommand's whole command line: when it holds --help (CLI_OPTIONS_END's
 * flag), prints the command's help on stdout: "usage: synthminer COMMAND [options]", @about
 * (what the command does) and the option table. Returns as cli_parse; after the help, 0 with
 * the help flag set, for the caller to stop there. */
int cli_parse_command(const char *command, const char *about, const struct cli_option *opts,
                      int argc, char **argv);

#endif
