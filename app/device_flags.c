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
  if (f->threads)
    fits &= add(buf, size, &used, "cpu.threads=%u", f->threads);
  if (f->affinity)
    fits &= add(buf, size, &used, "cpu.affinity=%s", f->affinity);
  if (f->cpu_core)
    fits &= add(buf, size, &used, "cpu.core=%s", f->cpu_core);
  if (f->opencl_work_group)
    fits &= add(buf, size, &used, "opencl.work_group=%u", f->opencl_work_group);
  if (f->opencl_lanes)
    fits &= add(buf, size, &used, "opencl.lanes=%u", f->opencl_lanes);
  if (f->opencl_build_options)
    fits &= add(buf, size, &used, "opencl.build_options=%s", f->opencl_build_options);
  if (f->vulkan_work_group)
    fits &= add(buf, size, &used, "vulkan.work_group=%u", f->vulkan_work_group);
  if (f->vulkan_nonces)
    fits &= add(buf, size, &used, "vulkan.nonces=%u", f->vulkan_nonces);
  if (f->vulkan_mad_adds != CLI_UNSET)
    fits &= add(buf, size, &used, "vulkan.mad_adds=%u", f->vulkan_mad_adds);
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
