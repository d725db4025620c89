/* core_select.c: which scan core a CPU worker runs: the fastest here, or the one asked for. */
#include "devices/cpu/core_select.h"

#include <stdalign.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/logger.h"
#include "synth/error.h"

#define MAX_CORES 16
#define ROUNDS 3

static bool runnable(const struct synth_cpu_core *c)
{
  return !c->supported || c->supported();
}

/* Thread CPU time: a preempted measurement is not charged for the time it did not run. */
static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Hashes for at least seconds of CPU time; returns the rate. */
static double time_core(const struct synth_cpu_core *c, const void *payload, double seconds)
{
  atomic_uint epoch = 0;
  uint32_t hits[64];
  uint64_t nonces = 0;
  uint32_t n = 4096, start = 0;
  double t0 = cpu_seconds(), t;
  do {
    struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 64};
    nonces += c->scan(payload, start, n, &ctl);
    start += n;
  } while ((t = cpu_seconds()) - t0 < seconds);
  return t > t0 ? (double)nonces / (t - t0) : 0;
}

size_t synth__cpu_core_measure(const struct synth_workload *workload, double ms_per_core,
                               struct synth__core_speed *speeds, size_t max)
{
  if (!workload->cpu_cores || !workload->known_answer)
    return 0;
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  struct synth_known_answer ka;
  workload->known_answer(payload, &ka);
  size_t n = 0;
  for (const struct synth_cpu_core *c = workload->cpu_cores; c->scan && n < max; c++) {
    if (runnable(c))
      speeds[n++] = (struct synth__core_speed){c, 0};
  }
  /* Alternate the cores over rounds and keep each one's best: a burst of noise hits one round
   * of one core, not its result. */
  for (int r = 0; r < ROUNDS; r++) {
    for (size_t i = 0; i < n; i++) {
      double hps = time_core(speeds[i].core, payload, ms_per_core / 1000.0 / ROUNDS);
      if (hps > speeds[i].hps)
        speeds[i].hps = hps;
    }
  }
  for (size_t i = 1; i < n; i++) { /* fastest first; few entries */
    for (size_t j = i; j > 0 && speeds[j].hps > speeds[j - 1].hps; j--) {
      struct synth__core_speed tmp = speeds[j];
      speeds[j] = speeds[j - 1];
      speeds[j - 1] = tmp;
    }
  }
  return n;
}

/* "sse, avx2, sha-ni": the cores this CPU can run. */
static void runnable_names(const struct synth_workload *workload, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (const struct synth_cpu_core *c = workload->cpu_cores; c && c->scan; c++) {
    if (runnable(c) && used < size)
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
    if (!runnable(c)) {
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

int synth__cpu_core_choose(const struct synth_workload *workload, const char *want,
                           const struct synth__logger *log, struct synth__core_choice *out)
{
  memset(out, 0, sizeof *out);
  if (want && strcmp(want, "auto") != 0)
    return choose_named(workload, want, log, out);
  struct synth__core_speed speeds[MAX_CORES];
  size_t n = synth__cpu_core_measure(workload, 60.0, speeds, MAX_CORES);
  if (n == 0) { /* nothing to measure with: the first runnable core */
    for (const struct synth_cpu_core *c = workload->cpu_cores; c && c->scan; c++) {
      if (runnable(c)) {
        out->core = c;
        snprintf(out->why, sizeof out->why, "the only choice without a known answer");
        return 0;
      }
    }
    synth__log_error(log, "%s: no CPU core can run it", workload->name);
    return SYNTH_ENOTSUP;
  }
  out->core = speeds[0].core;
  size_t used = (size_t)snprintf(out->why, sizeof out->why, "fastest by self-benchmark:");
  for (size_t i = 0; i < n && used < sizeof out->why; i++)
    used += (size_t)snprintf(out->why + used, sizeof out->why - used, "%s %s %.1f", i ? "," : "",
                             speeds[i].core->name, speeds[i].hps / 1e6);
  if (used < sizeof out->why)
    snprintf(out->why + used, sizeof out->why - used, " MH/s");
  return 0;
}
