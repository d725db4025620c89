/* sensing.c: sensors bound to devices, the sensor thread, and the limits' duty cycle. */
#include "scheduler/sensing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/logger.h"
#include "scheduler/sched_internal.h"
#include "synth/error.h"

#define DEFAULT_PERIOD_MS 500

/* ---- binding ---- */

static struct synth__sensor_source *new_source(struct synth__sensing *g)
{
  struct synth__sensor_source *src = &g->sources[g->nsources++];
  memset(src, 0, sizeof *src);
  src->nvml_index = -1;
  src->package = -1;
  synth__limit_init(&src->limit);
  pthread_mutex_init(&src->lock, NULL);
  atomic_init(&src->duty, 1.0);
  atomic_init(&src->limited, 0);
  return src;
}

static bool is_gpu(const struct synth__device_desc *desc)
{
  return (desc->kind == SYNTH_DEVICE_OPENCL || desc->kind == SYNTH_DEVICE_VULKAN) &&
         !desc->host_cpu;
}

/*
 * Where @desc's figures come from, into @out (label, NVML index, hwmon, RAPL): a GPU through
 * NVML by UUID or PCI, else an amdgpu hwmon by PCI; a native CPU worker through its package's
 * RAPL zone and k10temp or coretemp. Returns whether it has any; @why says why a CPU package
 * has no energy reading (RAPL root-only), "" otherwise.
 */
static bool locate(const struct synth__sensing_config *cfg, struct synth__nvml *nvml,
                   const struct synth__device_desc *desc, struct synth__sensor_source *out,
                   char *why, size_t why_size)
{
  why[0] = '\0';
  if (is_gpu(desc)) {
    const char *pci = desc->pci[0] ? desc->pci : NULL;
    int index = nvml ? synth__nvml_find(nvml, desc->has_uuid ? desc->uuid : NULL, pci) : -1;
    if (index >= 0) {
      out->nvml_index = index;
      snprintf(out->label, sizeof out->label, "nvml");
      return true;
    }
    if (pci && synth__hwmon_find(cfg->root, "amdgpu", pci, 0, &out->hwmon) == 0) {
      out->has_hwmon = true;
      snprintf(out->label, sizeof out->label, "hwmon amdgpu");
      return true;
    }
    return false;
  }
  if (desc->kind != SYNTH_DEVICE_CPU)
    return false; /* an OpenCL or Vulkan device on the host CPU: its cores are the workers' */
  int package = desc->package >= 0 ? desc->package : 0;
  out->package = package;
  out->has_rapl = synth__rapl_open(cfg->root, (unsigned)package, &out->rapl, why, why_size) == 0;
  out->has_hwmon =
      synth__hwmon_find(cfg->root, "k10temp", NULL, (unsigned)package, &out->hwmon) == 0 ||
      synth__hwmon_find(cfg->root, "coretemp", NULL, (unsigned)package, &out->hwmon) == 0;
  snprintf(out->label, sizeof out->label, "%s%.24s%s%s%.24s", out->has_rapl ? "rapl " : "",
           out->has_rapl ? out->rapl.name : "", out->has_rapl && out->has_hwmon ? ", " : "",
           out->has_hwmon ? "hwmon " : "", out->has_hwmon ? out->hwmon.name : "");
  if (out->has_rapl)
    why[0] = '\0';
  return out->has_rapl || out->has_hwmon;
}

/* @desc's source: a CPU package's is made by its first worker and shared. NULL: none. */
static struct synth__sensor_source *bind(struct synth__sched *s,
                                         const struct synth__device_desc *desc)
{
  struct synth__sensing *g = &s->sensing;
  if (desc->kind == SYNTH_DEVICE_CPU) {
    int package = desc->package >= 0 ? desc->package : 0;
    for (unsigned i = 0; i < g->nsources; i++)
      if (g->sources[i].package == package)
        return &g->sources[i];
  }
  struct synth__sensor_source *src = new_source(g);
  char why[192];
  bool found = locate(&g->cfg, g->nvml, desc, src, why, sizeof why);
  if (why[0])
    synth__log_info(s->cfg.log, "cpu package %d: no energy reading: %s", src->package, why);
  if (!found) { /* give the slot back */
    pthread_mutex_destroy(&src->lock);
    g->nsources--;
    return NULL;
  }
  return src;
}

static bool any_gpu(const struct synth__sched *s)
{
  for (unsigned i = 0; i < s->ndevices; i++)
    if (is_gpu(&s->devices[i]->desc))
      return true;
  return false;
}

int synth__sched_sensors(struct synth__sched *s, const struct synth__sensing_config *cfg)
{
  struct synth__sensing *g = &s->sensing;
  g->cfg = *cfg;
  if (!(g->sources = calloc(s->ndevices ? s->ndevices : 1, sizeof *g->sources)))
    return SYNTH_ENOMEM;
  pthread_mutex_init(&g->wake_lock, NULL);
  synth__cond_init_monotonic(&g->wake);
  g->bound = true;
  if (any_gpu(s) && !(cfg->nvml_library && !cfg->nvml_library[0])) {
    char why[160] = "";
    g->nvml = synth__nvml_open(cfg->nvml_library, why, sizeof why);
    if (!g->nvml)
      synth__log_debug(s->cfg.log, "no NVML: %s", why);
  }
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    d->sensor = bind(s, &d->desc);
    if (d->sensor)
      d->sensor->sharers++;
    synth__log_debug(s->cfg.log, "%s: sensors: %s", d->desc.id,
                     d->sensor ? d->sensor->label : "none");
  }
  return 0;
}

/* Under device_power_limit, an NVML device's own limit follows ours: set to it, or put back. */
static void own_limit(struct synth__sched *s, struct synth__sensor_source *src, double watts)
{
  struct synth__sensing *g = &s->sensing;
  if (!g->cfg.device_power_limit || src->nvml_index < 0 || !g->nvml)
    return;
  char why[192] = "";
  if (watts > 0) {
    double before = 0;
    if (synth__nvml_set_power_limit(g->nvml, src->nvml_index, watts, &before, why, sizeof why) !=
        0) {
      synth__log_warn(s->cfg.log,
                      "GPU %d: cannot set its own power limit to %.0f W (%s): the duty cycle holds "
                      "it alone",
                      src->nvml_index, watts, why);
      return;
    }
    if (!src->own_limit_set)
      src->own_limit_before_w = before; /* the first change: what to put back */
    src->own_limit_set = true;
    synth__log_info(s->cfg.log, "GPU %d: its own power limit set to %.0f W (was %.0f W)",
                    src->nvml_index, watts, before);
  } else if (src->own_limit_set) {
    if (synth__nvml_set_power_limit(g->nvml, src->nvml_index, src->own_limit_before_w, NULL, why,
                                    sizeof why) != 0)
      synth__log_warn(s->cfg.log, "GPU %d: cannot put its power limit back to %.0f W: %s",
                      src->nvml_index, src->own_limit_before_w, why);
    else
      synth__log_info(s->cfg.log, "GPU %d: its own power limit back to %.0f W", src->nvml_index,
                      src->own_limit_before_w);
    src->own_limit_set = false;
  }
}

void synth__sensing_set_limits(struct synth__sched *s, const struct synth__limit_config *cfg)
{
  struct synth__sensing *g = &s->sensing;
  pthread_mutex_lock(&g->wake_lock); /* one change at a time */
  for (unsigned i = 0; i < g->nsources; i++) {
    struct synth__sensor_source *src = &g->sources[i];
    struct synth__limit_config l = {0};
    /* a shared source holds the strictest of its devices' limits */
    for (unsigned k = 0; k < s->ndevices; k++) {
      const struct synth__limit_config *c = &cfg[k];
      if (s->devices[k]->sensor != src)
        continue;
#define LOWER(f)                                                                                   \
  if (c->f > 0 && (l.f <= 0 || c->f < l.f))                                                        \
    l.f = c->f;
      LOWER(temp_limit_c)
      LOWER(temp_abort_c)
      LOWER(power_limit_w)
      LOWER(hysteresis_c)
#undef LOWER
    }
    pthread_mutex_lock(&src->lock);
    src->limit_cfg = l;
    pthread_mutex_unlock(&src->lock);
    own_limit(s, src, l.power_limit_w);
  }
  pthread_mutex_unlock(&g->wake_lock);
}

/* ---- the sensor thread ---- */

/* Fields of @from that @into lacks, added: a source read first has precedence. */
static void merge(struct synth__sensor_reading *into, const struct synth__sensor_reading *from)
{
  unsigned add = from->have & ~into->have;
  if (add & SYNTH__SENSE_TEMP)
    into->temp_c = from->temp_c;
  if (add & SYNTH__SENSE_POWER)
    into->power_w = from->power_w;
  if (add & SYNTH__SENSE_ENERGY)
    into->energy_j = from->energy_j;
  if (add & SYNTH__SENSE_CLOCK)
    into->clock_mhz = from->clock_mhz;
  if (add & SYNTH__SENSE_LIMIT)
    into->limit_w = from->limit_w;
  if (add & SYNTH__SENSE_THROTTLE)
    into->throttle = from->throttle;
  into->have |= add;
}

/* Every reader of @src once, into @r: NVML, then RAPL (the package's energy and power, ahead of
 * hwmon's), then hwmon. */
static void read_figures(struct synth__nvml *nvml, struct synth__sensor_source *src, uint64_t now,
                         struct synth__sensor_reading *r)
{
  struct synth__sensor_reading part;
  memset(r, 0, sizeof *r);
  if (src->nvml_index >= 0)
    synth__nvml_read(nvml, src->nvml_index, r);
  if (src->has_rapl) {
    synth__rapl_read(&src->rapl, now, &part);
    merge(r, &part);
  }
  if (src->has_hwmon) {
    synth__hwmon_read(&src->hwmon, now, &part);
    merge(r, &part);
  }
}

static void read_source(struct synth__sensing *g, struct synth__sensor_source *src, uint64_t now)
{
  struct synth__sensor_reading r;
  read_figures(g->nvml, src, now, &r);
  double dt = src->last_ns ? (double)(now - src->last_ns) * 1e-9 : 0;
  src->last_ns = now;
  pthread_mutex_lock(&src->lock); /* the limits may change while it runs */
  struct synth__limit_config lc = src->limit_cfg;
  pthread_mutex_unlock(&src->lock);
  synth__limit_step(&src->limit, &lc, &r, dt);
  pthread_mutex_lock(&src->lock);
  if (!src->read_once && (r.have & SYNTH__SENSE_ENERGY))
    src->energy0_j = r.energy_j;
  if (r.have)
    src->read_once = true;
  src->reading = r;
  pthread_mutex_unlock(&src->lock);
  atomic_store_explicit(&src->duty, synth__limit_duty(&src->limit), memory_order_relaxed);
  atomic_store_explicit(&src->limited, synth__limit_reasons(&src->limit), memory_order_release);
}

static void *sensor_thread(void *arg)
{
  struct synth__sched *s = arg;
  struct synth__sensing *g = &s->sensing;
  pthread_setname_np(pthread_self(), "synth-sensors");
  unsigned period = g->cfg.period_ms ? g->cfg.period_ms : DEFAULT_PERIOD_MS;
  pthread_mutex_lock(&g->wake_lock);
  while (!g->stop) {
    pthread_mutex_unlock(&g->wake_lock);
    uint64_t now = synth__now_ns();
    for (unsigned i = 0; i < g->nsources; i++)
      read_source(g, &g->sources[i], now);
    /* the nonces the energy since the first reading is set against */
    for (unsigned i = 0; i < s->ndevices; i++) {
      struct synth__sched_device *d = s->devices[i];
      if (d->sensor && d->sensor->read_once &&
          !atomic_load_explicit(&d->sensed_nonces0, memory_order_relaxed))
        atomic_store_explicit(&d->sensed_nonces0, synth__counter_get(&d->counters.nonces) + 1,
                              memory_order_relaxed);
    }
    struct timespec until = synth__deadline_ms(period);
    pthread_mutex_lock(&g->wake_lock);
    if (!g->stop)
      pthread_cond_timedwait(&g->wake, &g->wake_lock, &until);
  }
  pthread_mutex_unlock(&g->wake_lock);
  return NULL;
}

int synth__sensing_start(struct synth__sched *s)
{
  struct synth__sensing *g = &s->sensing;
  if (!g->bound || g->nsources == 0 || g->running)
    return 0;
  g->stop = false;
  if (pthread_create(&g->thread, NULL, sensor_thread, s) != 0)
    return SYNTH_ESYSTEM;
  g->running = true;
  return 0;
}

void synth__sensing_stop(struct synth__sched *s)
{
  struct synth__sensing *g = &s->sensing;
  if (!g->running)
    return;
  pthread_mutex_lock(&g->wake_lock);
  g->stop = true;
  pthread_cond_signal(&g->wake);
  pthread_mutex_unlock(&g->wake_lock);
  pthread_join(g->thread, NULL);
  g->running = false;
}

void synth__sensing_free(struct synth__sched *s)
{
  struct synth__sensing *g = &s->sensing;
  if (!g->bound)
    return;
  synth__sensing_stop(s);
  for (unsigned i = 0; i < g->nsources; i++) {
    own_limit(s, &g->sources[i], 0); /* the device's own limit as it was */
    pthread_mutex_destroy(&g->sources[i].lock);
  }
  free(g->sources);
  synth__nvml_close(g->nvml);
  pthread_cond_destroy(&g->wake);
  pthread_mutex_destroy(&g->wake_lock);
  memset(g, 0, sizeof *g);
}

int synth__sensing_probe(const struct synth__sensing_config *cfg, struct synth__nvml *nvml,
                         const struct synth__device_desc *desc, char *label, size_t label_size,
                         struct synth__sensor_reading *r)
{
  struct synth__sensor_source src;
  memset(&src, 0, sizeof src);
  src.nvml_index = -1;
  src.package = -1;
  char why[192];
  memset(r, 0, sizeof *r);
  label[0] = '\0';
  if (!locate(cfg, nvml, desc, &src, why, sizeof why))
    return -1;
  snprintf(label, label_size, "%s", src.label);
  read_figures(nvml, &src, synth__now_ns(), r);
  r->have &= ~(unsigned)SYNTH__SENSE_ENERGY; /* since open: nothing yet at one reading */
  return 0;
}

/* ---- what the device thread and stats see ---- */

uint64_t synth__sensing_gap_ns(const struct synth__sched_device *d, uint64_t busy_ns)
{
  if (!d->sensor)
    return 0;
  return synth__limit_gap_ns(atomic_load_explicit(&d->sensor->duty, memory_order_relaxed), busy_ns);
}

bool synth__sensing_hot(const struct synth__sched_device *d)
{
  return d->sensor &&
         (atomic_load_explicit(&d->sensor->limited, memory_order_acquire) & SYNTH__LIMIT_HOT);
}

void synth__sensing_stats(const struct synth__sched_device *d, struct synth_device_stats *out)
{
  out->duty = 1;
  struct synth__sensor_source *src = d->sensor;
  if (!src)
    return;
  snprintf(out->sensor, sizeof out->sensor, "%s", src->label);
  pthread_mutex_lock(&src->lock);
  struct synth__sensor_reading r = src->reading;
  double energy0 = src->energy0_j;
  pthread_mutex_unlock(&src->lock);
  double share = src->sharers > 1 ? 1.0 / src->sharers : 1.0;
  out->sensed = r.have;
  out->temp_c = r.temp_c;
  out->power_w = r.power_w * share;
  out->clock_mhz = r.clock_mhz;
  out->power_limit_w = r.limit_w;
  out->throttle = r.throttle;
  out->duty = atomic_load_explicit(&src->duty, memory_order_relaxed);
  out->limited = atomic_load_explicit(&src->limited, memory_order_relaxed);
  if (r.have & SYNTH__SENSE_ENERGY) {
    out->energy_j = (r.energy_j - energy0) * share;
    uint64_t n0 = atomic_load_explicit(&d->sensed_nonces0, memory_order_relaxed);
    uint64_t hashed = n0 && out->nonces + 1 > n0 ? out->nonces + 1 - n0 : 0;
    if (hashed > 0 && out->energy_j > 0) {
      out->joules_per_th = out->energy_j / (double)hashed * 1e12;
      out->hashes_per_joule = (double)hashed / out->energy_j;
    }
  }
}
