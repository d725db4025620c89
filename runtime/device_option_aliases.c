/* device_option_aliases.c: the deprecated typed fields of synth_runtime_config (cpu_threads,
 * opencl_lanes, ...) set the device options they stand for, checked the same way. */
#include <stdio.h>
#include <string.h>

#include "runtime/device_options.h"

/* Sets key ("opencl.lanes") from text; a backend this build lacks has nothing to set. */
static int alias(struct synth__device_options *out, const struct synth__logger *log,
                 const char *key, const char *text, const char *field)
{
  const char *dot = strchr(key, '.');
  int b = synth__device_backend_index(key, (size_t)(dot - key));
  if (b < 0)
    return 0;
  return synth__device_option_set(synth__device_backends[b], out->values[b], dot + 1, text, field,
                                  log);
}

/* Zero (and NULL) mean "the default": nothing to set. */
static int alias_number(struct synth__device_options *out, const struct synth__logger *log,
                        const char *key, long long value, const char *field)
{
  char text[24];
  snprintf(text, sizeof text, "%lld", value);
  return value ? alias(out, log, key, text, field) : 0;
}

static int alias_text(struct synth__device_options *out, const struct synth__logger *log,
                      const char *key, const char *text, const char *field)
{
  return text ? alias(out, log, key, text, field) : 0;
}

int synth__device_option_aliases(const struct synth_runtime_config *cfg,
                                 const struct synth__logger *log, struct synth__device_options *out)
{
  int rc = alias_number(out, log, "cpu.threads", cfg->cpu_threads, "cpu_threads");
  if (rc == 0)
    rc = alias_text(out, log, "cpu.affinity", cfg->cpu_affinity, "cpu_affinity");
  if (rc == 0)
    rc = alias_text(out, log, "cpu.core", cfg->cpu_core, "cpu_core");
  if (rc == 0)
    rc = alias_number(out, log, "opencl.work_group", cfg->opencl_work_group, "opencl_work_group");
  if (rc == 0)
    rc = alias_number(out, log, "opencl.lanes", cfg->opencl_lanes, "opencl_lanes");
  if (rc == 0)
    rc = alias_text(out, log, "opencl.build_options", cfg->opencl_build_options,
                    "opencl_build_options");
  if (rc == 0)
    rc = alias_number(out, log, "vulkan.work_group", cfg->vulkan_work_group, "vulkan_work_group");
  if (rc == 0)
    rc = alias_number(out, log, "vulkan.nonces", cfg->vulkan_nonces, "vulkan_nonces");
  /* vulkan_mad_adds: 0 is the default, and -1 none, which the option spells 0. */
  if (rc == 0 && cfg->vulkan_mad_adds) {
    char text[16];
    snprintf(text, sizeof text, "%d", cfg->vulkan_mad_adds == -1 ? 0 : cfg->vulkan_mad_adds);
    rc = alias(out, log, "vulkan.mad_adds", text, "vulkan_mad_adds");
  }
  return rc;
}
