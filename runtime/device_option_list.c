/* device_option_list.c: every backend's option table, as the public API lists it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "runtime/device_options.h"
#include "synth/error.h"

const char *synth_device_option_type_name(enum synth_device_option_type type)
{
  switch (type) {
  case SYNTH_OPTION_UINT:
    return "uint";
  case SYNTH_OPTION_INT:
    return "int";
  case SYNTH_OPTION_STRING:
    return "string";
  case SYNTH_OPTION_ENUM:
    return "enum";
  }
  return "unknown";
}

unsigned synth_device_option_count(void)
{
  unsigned n = 0;
  for (size_t b = 0; b < SYNTH_MAX_BACKENDS && synth__device_backends[b]; b++) {
    const struct synth__device_option *o = synth__device_backends[b]->options;
    for (size_t i = 0; o && o[i].name; i++)
      n++;
  }
  return n;
}

int synth_device_option(unsigned index, struct synth_device_option_desc *out, size_t out_size)
{
  if (!out || out_size < offsetof(struct synth_device_option_desc, help) + sizeof out->help)
    return SYNTH_EINVAL;
  for (size_t b = 0; b < SYNTH_MAX_BACKENDS && synth__device_backends[b]; b++) {
    const struct synth__device_ops *ops = synth__device_backends[b];
    for (size_t i = 0; ops->options && ops->options[i].name; i++, index--) {
      if (index != 0)
        continue;
      const struct synth__device_option *o = &ops->options[i];
      struct synth_device_option_desc d = {
          .kind = ops->kind,
          .type = o->type,
          .min = o->min,
          .max = o->max,
          .values = o->values,
          .default_value = o->default_value,
          .help = o->help,
      };
      snprintf(d.name, sizeof d.name, "%s.%s", ops->name, o->name);
      memcpy(out, &d, out_size < sizeof d ? out_size : sizeof d);
      return 0;
    }
  }
  return SYNTH_EINVAL;
}
