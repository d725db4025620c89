/* device_flags.c: the backends' flags (--threads, --opencl-lanes, ...) and every -O KEY=VALUE as
 * the one device_options list the library parses and checks. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "options.h"

/* Appends one item to the list in buf, after a comma unless it is the first. Returns whether
 * it fit. */
__attribute__((format(printf, 4, 5))) static bool add(char *buf, size_t size, size_t *used,
                                                      const char *fmt, ...)
{
  if (*used > 0 && *used + 1 < size)
    buf[(*used)++] = ',';
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *used, size - *used, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= size - *used)
    return false;
  *used += (size_t)n;
  return true;
}

int cli_device_options(const char *command, struct cli_device_flags *f, const char **out)
{
  char *buf = f->device_options;
  size_t size = sizeof f->device_options, used = 0;
  bool fits = true;
  buf[0] = '\0';
  /* Each backend flag as the device option it stands for; a number equal to unset, or a NULL
   * text, was not given. */
  const struct {
    const char *key;
    const unsigned *number;
    const char *const *text;
    unsigned unset;
  } flags[] = {
      {.key = "cpu.threads", .number = &f->threads},
      {.key = "cpu.affinity", .text = &f->affinity},
      {.key = "cpu.core", .text = &f->cpu_core},
      {.key = "opencl.work_group", .number = &f->opencl_work_group},
      {.key = "opencl.lanes", .number = &f->opencl_lanes},
      {.key = "opencl.build_options", .text = &f->opencl_build_options},
      {.key = "vulkan.work_group", .number = &f->vulkan_work_group},
      {.key = "vulkan.nonces", .number = &f->vulkan_nonces},
      {.key = "vulkan.mad_adds", .number = &f->vulkan_mad_adds, .unset = CLI_UNSET},
  };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    if (flags[i].text && *flags[i].text)
      fits &= add(buf, size, &used, "%s=%s", flags[i].key, *flags[i].text);
    else if (flags[i].number && *flags[i].number != flags[i].unset)
      fits &= add(buf, size, &used, "%s=%u", flags[i].key, *flags[i].number);
  }
  for (unsigned i = 0; i < f->options.count; i++)
    fits &= add(buf, size, &used, "%s", f->options.items[i]);
  if (!fits) {
    fprintf(stderr, "synthminer %s: -O and the device flags come to more than %zu bytes\n", command,
            size - 1);
    return CLI_EXIT_USAGE;
  }
  *out = used ? buf : NULL;
  return 0;
}
