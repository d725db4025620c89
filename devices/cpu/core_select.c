/* core_select.c: which scan core a CPU worker runs: the fastest here, or the one asked for. */
#include "devices/cpu/core_select.h"

#include <stdio.h>
#include <string.h>

#include "base/logger.h"
#include "synth/error.h"

/* "sse, avx2, sha-ni": the cores this CPU can run. */
static void runnable_names(const struct synth_workload *workload, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (const struct synth_cpu_core *c = workload->cpu_cores; c && c->scan; c++) {
    if (synth__core_runnable(c) && used < size)
      used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", c->name);
  }
}

static int choose_named(const struct synth_workload *workload, const char *want,
                        const struct synth__logger *log, struct synth__core_choice *out)
{
  char names[128];
  runnable_names(workload, names, sizeof names);
  for (const struct synth_cpu_core *c = workload->cpu_cores; c && c->scan; c++) {
    if (strcmp(c->name, want) != 0)
      continue;
    if (!synth__core_runnable(c)) {
      synth__log_error(log, "device option cpu.core=%s: this CPU cannot run it (it can run: %s)",
                       want, names);
      return SYNTH_EINVAL;
    }
    out->core = c;
    snprintf(out->why, sizeof out->why, "chosen with cpu.core");
    return 0;
  }
  synth__log_error(log, "device option cpu.core=%s: no such core for %s; use auto or one of: %s",
                   want, workload->name, names);
  return SYNTH_EINVAL;
}

/* "fastest by self-benchmark (measured now; MH/s of thread time/wall): sha-ni 14.1/13.9, ...". */
static void describe(const struct synth__core_speed *speeds, size_t n, bool cached, char *why,
                     size_t size)
{
  size_t used =
      (size_t)snprintf(why, size, "fastest by self-benchmark (%s; MH/s of thread time/wall):",
                       cached ? "cached for this CPU model" : "measured now");
  for (size_t i = 0; i < n && used < size; i++)
    used += (size_t)snprintf(why + used, size - used, "%s %s %.1f/%.1f", i ? "," : "",
                             speeds[i].core->name, speeds[i].hps / 1e6, speeds[i].hps_wall / 1e6);
}

int synth__cpu_core_choose(const struct synth_workload *workload, const char *want,
                           const struct synth__core_cache *cache, const struct synth__logger *log,
                           struct synth__core_choice *out)
{
  memset(out, 0, sizeof *out);
  if (want && strcmp(want, "auto") != 0)
    return choose_named(workload, want, log, out);
  struct synth__core_speed speeds[SYNTH__CORES_MAX];
  size_t n = synth__core_cache_read(cache, workload, speeds, SYNTH__CORES_MAX);
  out->cached = n > 0;
  if (n == 0) {
    n = synth__cpu_core_measure(workload, 60.0, speeds, SYNTH__CORES_MAX);
    if (n > 0 && cache && cache->dir && synth__core_cache_write(cache, workload, speeds, n) != 0)
      synth__log_debug(log, "cpu: could not keep the core ranking under %s", cache->dir);
  }
  if (n == 0) { /* nothing to measure with: the first runnable core */
    for (const struct synth_cpu_core *c = workload->cpu_cores; c && c->scan; c++) {
      if (synth__core_runnable(c)) {
        out->core = c;
        snprintf(out->why, sizeof out->why, "the only choice without a known answer");
        return 0;
      }
    }
    synth__log_error(log, "%s: no CPU core can run it", workload->name);
    return SYNTH_ENOTSUP;
  }
  out->core = speeds[0].core;
  describe(speeds, n, out->cached, out->why, sizeof out->why);
  synth__log_debug(log, "cpu: %s core %s, %s", workload->name, out->core->name, out->why);
  return 0;
}
