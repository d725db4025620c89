/* options.c: strict, table-driven parsing of a subcommand's flags. */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 3))) static int usage_error(const char *command, const char *fmt,
                                                             ...)
{
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "synthminer %s: %s (see 'synthminer %s --help')\n", command, msg, command);
  return CLI_EXIT_USAGE;
}

static const struct cli_option *find(const struct cli_option *opts, const char *arg, size_t len)
{
  for (const struct cli_option *o = opts; o->name; o++) {
    if (len == 2 && arg[0] == '-' && arg[1] == o->shortname && o->shortname)
      return o;
    if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
      return o;
  }
  return NULL;
}

static int store(const char *command, const struct cli_option *o, const char *value)
{
  char *end;
  switch (o->type) {
  case CLI_FLAG:
    *(bool *)o->dest = true;
    return 0;
  case CLI_STRING:
    if (!*value)
      return usage_error(command, "%s needs a non-empty value", o->name);
    *(const char **)o->dest = value;
    return 0;
  case CLI_LIST: {
    struct cli_list *l = o->dest;
    if (!*value)
      return usage_error(command, "%s needs a non-empty value", o->name);
    if (l->count >= (unsigned)o->max || l->count >= CLI_LIST_MAX)
      return usage_error(command, "%s: at most %.0f of them", o->name, o->max);
    l->items[l->count++] = value;
    return 0;
  }
  case CLI_UINT: {
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || errno || *end || (double)v < o->min ||
        (double)v > o->max)
      return usage_error(command, "%s '%s': expected a whole number from %.0f to %.0f", o->name,
                         value, o->min, o->max);
    *(unsigned *)o->dest = (unsigned)v;
    return 0;
  }
  case CLI_DOUBLE: {
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(v) || v < o->min || v > o->max)
      return usage_error(command, "%s '%s': expected a number from %g to %g", o->name, value,
                         o->min, o->max);
    *(double *)o->dest = v;
    return 0;
  }
  }
  return CLI_EXIT_USAGE;
}

int cli_parse(const char *command, const struct cli_option *opts, int argc, char **argv)
{
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] != '-' || arg[1] == '\0')
      return usage_error(command, "unexpected argument '%s'", arg);
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct cli_option *o = find(opts, arg, len);
    if (!o)
      return usage_error(command, "unknown option '%.*s'", (int)len, arg);
    const char *value = NULL;
    if (o->type == CLI_FLAG) {
      if (eq)
        return usage_error(command, "%s takes no value", o->name);
    } else if (eq) {
      value = eq + 1;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return usage_error(command, "%s needs a value", o->name);
    }
    int rc = store(command, o, value);
    if (rc != 0)
      return rc;
  }
  return 0;
}

int cli_parse_command(const char *command, const char *about, const struct cli_option *opts,
                      int argc, char **argv)
{
  int rc = cli_parse(command, opts, argc, argv);
  const struct cli_option *help = opts;
  while (help->name && strcmp(help->name, "--help") != 0)
    help++;
  if (rc == 0 && help->name && *(const bool *)help->dest) {
    printf("usage: synthminer %s [options]\n\n%s\n\noptions:\n", command, about);
    cli_print_options(opts);
  }
  return rc;
}

void cli_print_options(const struct cli_option *opts)
{
  for (const struct cli_option *o = opts; o->name; o++) {
    char left[48];
    if (o->shortname)
      snprintf(left, sizeof left, "-%c, %s%s%s", o->shortname, o->name, o->arg ? " " : "",
               o->arg ? o->arg : "");
    else
      snprintf(left, sizeof left, "    %s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    printf("  %-30s %s\n", left, o->help);
  }
}
