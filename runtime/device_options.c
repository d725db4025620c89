/* device_options.c: parses "kind.option=value" lists and checks each value against the option
 * table of the backend the registry knows by that kind. */
#include "runtime/device_options.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "synth/error.h"

int synth__device_backend_index(const char *kind, size_t len)
{
  for (int b = 0; b < SYNTH_MAX_BACKENDS && synth__device_backends[b]; b++) {
    const char *name = synth__device_backends[b]->name;
    if (strlen(name) == len && memcmp(name, kind, len) == 0)
      return b;
  }
  return -1;
}

static int option_index(const struct synth__device_ops *ops, const char *name)
{
  for (int i = 0; i < SYNTH_DEVICE_OPTIONS_MAX && ops->options && ops->options[i].name; i++) {
    if (strcmp(ops->options[i].name, name) == 0)
      return i;
  }
  return -1;
}

/* Appends name to the list in buf ("a, b" becomes "a, b, name"), as far as it fits. */
static void append_name(char *buf, size_t size, const char *name)
{
  size_t used = strlen(buf);
  if (used + 1 < size)
    snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
}

/* A whole number, decimal, with a sign only when negative is allowed; no spaces. */
static bool parse_number(const char *text, bool negative_ok, long long *out)
{
  bool neg = negative_ok && *text == '-';
  const char *p = text + neg;
  if (*p < '0' || *p > '9')
    return false;
  unsigned long long v = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (v > (1ull << 62) / 10)
      return false; /* far past any option's range */
    v = v * 10 + (unsigned long long)(*p - '0');
  }
  if (*p)
    return false;
  *out = neg ? -(long long)v : (long long)v;
  return true;
}

/* Reads text as option o. Returns 0 and *v, or SYNTH_EINVAL with why written. */
static int parse_value(const struct synth__device_option *o, const char *text,
                       struct synth__option_value *v, char *why, size_t size)
{
  *v = (struct synth__option_value){.set = true};
  switch (o->type) {
  case SYNTH_OPTION_UINT:
  case SYNTH_OPTION_INT:
    if (!parse_number(text, o->type == SYNTH_OPTION_INT, &v->number) || v->number < o->min ||
        v->number > o->max) {
      snprintf(why, size, "must be a whole number from %lld to %lld", o->min, o->max);
      return SYNTH_EINVAL;
    }
    break;
  case SYNTH_OPTION_STRING: {
    size_t len = strlen(text);
    if ((long long)len < o->min || (long long)len > o->max) {
      snprintf(why, size, "must be %lld to %lld bytes long", o->min, o->max);
      return SYNTH_EINVAL;
    }
    v->text = text;
    return 0;
  }
  case SYNTH_OPTION_ENUM:
    for (v->number = 0; o->values && o->values[v->number]; v->number++) {
      if (strcmp(o->values[v->number], text) == 0)
        break;
    }
    if (!o->values || !o->values[v->number]) {
      char names[128] = "";
      for (size_t k = 0; o->values && o->values[k]; k++)
        append_name(names, sizeof names, o->values[k]);
      snprintf(why, size, "must be one of: %s", names);
      return SYNTH_EINVAL;
    }
    break;
  default:
    snprintf(why, size, "the option's table entry has no known type");
    return SYNTH_EINVAL;
  }
  return o->check ? o->check(v->number, why, size) : 0;
}

int synth__device_option_set(const struct synth__device_ops *ops,
                             struct synth__option_value *values, const char *name, const char *text,
                             const char *from, const struct synth__logger *log)
{
  char note[64] = "";
  if (from)
    snprintf(note, sizeof note, " (from %s)", from);
  int i = option_index(ops, name);
  if (i < 0) {
    char names[256] = "";
    for (size_t k = 0; ops->options && ops->options[k].name; k++)
      append_name(names, sizeof names, ops->options[k].name);
    synth__log_error(log,
                     "device option %s.%.64s=%.80s%s: the %s backend has no option '%.64s' "
                     "(its options: %s)",
                     ops->name, name, text, note, ops->name, name, names[0] ? names : "none");
    return SYNTH_EINVAL;
  }
  char why[192];
  struct synth__option_value v;
  if (parse_value(&ops->options[i], text, &v, why, sizeof why) != 0) {
    synth__log_error(log, "device option %s.%s=%.80s%s: %s", ops->name, name, text, note, why);
    return SYNTH_EINVAL;
  }
  values[i] = v;
  return 0;
}

/* Whether s starts an item: kind.option= in lower case, digits or '_'. */
static bool starts_item(const char *s)
{
  size_t kind = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
  if (kind == 0 || s[kind] != '.')
    return false;
  size_t name = strspn(s + kind + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
  return name > 0 && s[kind + 1 + name] == '=';
}

static int parse_item(char *item, struct synth__device_options *out,
                      const struct synth__logger *log)
{
  char *eq = strchr(item, '=');
  char *dot = eq ? memchr(item, '.', (size_t)(eq - item)) : NULL;
  if (!dot || dot == item || dot + 1 == eq) {
    synth__log_error(log, "device_options: '%.80s' is not KIND.OPTION=VALUE", item);
    return SYNTH_EINVAL;
  }
  int b = synth__device_backend_index(item, (size_t)(dot - item));
  if (b < 0) {
    char names[128] = "";
    for (size_t k = 0; k < SYNTH_MAX_BACKENDS && synth__device_backends[k]; k++)
      append_name(names, sizeof names, synth__device_backends[k]->name);
    synth__log_error(log, "device option %.80s: no backend '%.*s' in this build (it has: %s)", item,
                     (int)(dot - item), item, names);
    return SYNTH_EINVAL;
  }
  *eq = '\0';
  return synth__device_option_set(synth__device_backends[b], out->values[b], dot + 1, eq + 1, NULL,
                                  log);
}

int synth__device_options_parse(const struct synth_runtime_config *cfg,
                                const struct synth__logger *log, struct synth__device_options *out)
{
  memset(out, 0, sizeof *out);
  int rc = 0;
  if (!cfg->device_options || !*cfg->device_options)
    return 0;
  out->text = strdup(cfg->device_options);
  if (!out->text)
    return SYNTH_ENOMEM;
  /* An item ends at the first comma that starts another one: a value may hold commas. */
  for (char *item = out->text; item && rc == 0;) {
    char *next = NULL;
    for (char *c = strchr(item, ','); c && !next; c = strchr(c + 1, ',')) {
      if (starts_item(c + 1)) {
        *c = '\0';
        next = c + 1;
      }
    }
    rc = parse_item(item, out, log);
    item = next;
  }
  return rc;
}

void synth__device_options_free(struct synth__device_options *opts)
{
  free(opts->text);
  opts->text = NULL;
}
