/* device_option_table.c: `synthminer devices --options`: every backend's settings, as the
 * library lists them. */
#include <stdio.h>

#include <jansson.h>

#include "cli.h"

/* "1..16" for a number, "1..255 bytes" for a string, "a|b|c" for an enum. */
static void format_range(const struct synth_device_option_desc *d, char *buf, size_t size)
{
  if (d->type == SYNTH_OPTION_ENUM) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; d->values && d->values[i] && used < size; i++)
      used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "|" : "", d->values[i]);
    return;
  }
  snprintf(buf, size, "%lld..%lld%s", d->min, d->max,
           d->type == SYNTH_OPTION_STRING ? " bytes" : "");
}

static json_t *option_json(const struct synth_device_option_desc *d)
{
  json_t *o = json_object();
  json_object_set_new(o, "name", json_string(d->name));
  json_object_set_new(o, "kind", json_string(synth_device_kind_name(d->kind)));
  json_object_set_new(o, "type", json_string(synth_device_option_type_name(d->type)));
  if (d->type == SYNTH_OPTION_ENUM) {
    json_t *values = json_array();
    for (size_t i = 0; d->values && d->values[i]; i++)
      json_array_append_new(values, json_string(d->values[i]));
    json_object_set_new(o, "values", values);
  } else {
    json_object_set_new(o, "min", json_integer(d->min));
    json_object_set_new(o, "max", json_integer(d->max));
  }
  json_object_set_new(o, "default", json_string(d->default_value));
  json_object_set_new(o, "help", json_string(d->help));
  return o;
}

int cli_print_device_options(bool json)
{
  json_t *list = json ? json_array() : NULL;
  if (!json)
    printf("%-22s %-7s %-14s %s\n", "OPTION", "TYPE", "RANGE", "DEFAULT");
  for (unsigned i = 0; i < synth_device_option_count(); i++) {
    struct synth_device_option_desc d;
    if (synth_device_option(i, &d, sizeof d) != 0)
      break;
    if (json) {
      json_array_append_new(list, option_json(&d));
      continue;
    }
    char range[96];
    format_range(&d, range, sizeof range);
    printf("%-22s %-7s %-14s %s\n%-22s %s\n", d.name, synth_device_option_type_name(d.type), range,
           d.default_value, "", d.help);
  }
  if (json) {
    json_t *root = json_object();
    json_object_set_new(root, "options", list);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
  }
  return 0;
}
