/* runtime.c: the public runtime: devices opened and self-tested, a scheduler, work in and hits
 * out. The miner's calls (mining jobs, shares) are in mine.c. */
#include "synth/runtime.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/callback_guard.h"
#include "base/clock.h"
#include "base/logger.h"
#include "runtime/device_probe.h"
#include "runtime/device_twins.h"
#include "runtime/mine.h"
#include "runtime/power_limits.h"
#include "runtime/runtime_internal.h"
#include "runtime/work.h"
#include "runtime/workload_check.h"
#include "scheduler/policy.h"
#include "scheduler/scheduler.h"
#include "scheduler/sensing.h"
#include "synth/error.h"
#include "synth/target.h"

/* A kind's name is its backend's, from the registry: nothing here lists the backends. */
const char *synth_device_kind_name(enum synth_device_kind kind)
{
  for (size_t b = 0; b < SYNTH_MAX_BACKENDS && synth__device_backends[b]; b++) {
    if (synth__device_backends[b]->kind == kind)
      return synth__device_backends[b]->name;
  }
  return "unknown";
}

const char *synth_device_state_name(enum synth_device_state state)
{
  switch (state) {
  case SYNTH_DEVICE_IDLE:
    return "idle";
  case SYNTH_DEVICE_TUNING:
    return "tuning";
  case SYNTH_DEVICE_OK:
    return "ok";
  case SYNTH_DEVICE_BACKING_OFF:
    return "backing-off";
  case SYNTH_DEVICE_SICK:
    return "sick";
  case SYNTH_DEVICE_OUT:
    return "out";
  case SYNTH_DEVICE_PAUSED:
    return "paused";
  }
  return "unknown";
}

/* Whether v is finite and within [lo, hi]. */
static bool within(double v, double lo, double hi)
{
  return isfinite(v) && v >= lo && v <= hi;
}

static int check_limits(double temp_limit_c, double temp_abort_c, const char *power_limit,
                        const struct synth__logger *log)
{
  if (!within(temp_limit_c, 0, 200) || !within(temp_abort_c, 0, 200) ||
      (temp_limit_c > 0 && temp_abort_c > 0 && temp_abort_c <= temp_limit_c)) {
    synth__log_error(log, "temp_limit_c and temp_abort_c must be 0 to 200 C, the abort above the "
                          "limit (0: none)");
    return SYNTH_EINVAL;
  }
  char why[256];
  if (synth__power_limits_check(power_limit, why, sizeof why) != 0) {
    synth__log_error(log, "%s", why);
    return SYNTH_EINVAL;
  }
  return 0;
}

static int check_config(const struct synth_runtime_config *cfg, const struct synth__logger *log)
{
  if (!within(cfg->cpu_target_latency_ms, 0, 60000) ||
      !within(cfg->gpu_target_latency_ms, 0, 60000)) {
    synth__log_error(log, "cpu_target_latency_ms, gpu_target_latency_ms: must be 0 to 60000");
    return SYNTH_EINVAL;
  }
  if (!within(cfg->error_rate_limit, 0, 1) || !within(cfg->overrun_factor, 0, 1e6) ||
      (cfg->overrun_factor != 0 && cfg->overrun_factor < 1.5)) {
    synth__log_error(
        log, "error_rate_limit must be 0 to 1, overrun_factor 1.5 or more (0: the defaults)");
    return SYNTH_EINVAL;
  }
  if (cfg->unit_log2 != 0 && (cfg->unit_log2 < 8 || cfg->unit_log2 > 24)) {
    synth__log_error(log, "unit_log2 must be 8 to 24 (WorkUnits of 2^8 to 2^24 nonces)");
    return SYNTH_EINVAL;
  }
  if (check_limits(cfg->temp_limit_c, cfg->temp_abort_c, cfg->power_limit, log) != 0)
    return SYNTH_EINVAL;
  if (!synth__sched_policy_find(cfg->scheduler_policy)) {
    char names[256] = "";
    const char *name;
    for (unsigned i = 0; (name = synth_scheduler_policy_name(i)); i++)
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", name);
    synth__log_error(log, "scheduler_policy '%s': no such policy; expected one of %s",
                     cfg->scheduler_policy, names);
    return SYNTH_EINVAL;
  }
  return 0;
}

/* Every device's limits from the config's three fields (checked). */
static int apply_limits(struct synth_runtime *rt, double temp_limit_c, double temp_abort_c,
                        const char *power_limit)
{
  unsigned n = synth__sched_device_count(rt->sched);
  struct synth__limit_config *lc = calloc(n ? n : 1, sizeof *lc);
  if (!lc)
    return SYNTH_ENOMEM;
  for (unsigned i = 0; i < n; i++)
    lc[i] = (struct synth__limit_config){
        .temp_limit_c = temp_limit_c,
        .temp_abort_c = temp_abort_c,
        .power_limit_w = synth__power_limit_of(power_limit, synth__sched_device_desc(rt->sched, i)),
    };
  synth__sensing_set_limits(rt->sched, lc);
  free(lc);
  return 0;
}

int synth_runtime_set_limits(synth_runtime *rt, double temp_limit_c, double temp_abort_c,
                             const char *power_limit)
{
  if (!rt)
    return SYNTH_EINVAL;
  int rc = check_limits(temp_limit_c, temp_abort_c, power_limit, &rt->log);
  return rc == 0 ? apply_limits(rt, temp_limit_c, temp_abort_c, power_limit) : rc;
}

int synth_runtime_set_paused(synth_runtime *rt, unsigned index, int paused)
{
  return rt ? synth__sched_set_paused(rt->sched, index, paused != 0) : SYNTH_EINVAL;
}

int synth_runtime_set_target_latency(synth_runtime *rt, unsigned index, double latency_ms)
{
  if (!rt || !(latency_ms >= 0 && latency_ms <= 60000))
    return SYNTH_EINVAL;
  return synth__sched_set_target(rt->sched, index, latency_ms * 1e-3);
}

double synth_runtime_heartbeat_age(synth_runtime *rt)
{
  return rt ? synth__sched_heartbeat_age(rt->sched) : -1;
}

/* Every device's sensors, and the limits the config gives it. */
static int bind_sensors(struct synth_runtime *rt, const struct synth_runtime_config *cfg)
{
  struct synth__sensing_config sc = {cfg->sensor_root, cfg->nvml_library, cfg->sensor_period_ms,
                                     cfg->device_power_limit != 0};
  int rc = synth__sched_sensors(rt->sched, &sc);
  return rc == 0 ? apply_limits(rt, cfg->temp_limit_c, cfg->temp_abort_c, cfg->power_limit) : rc;
}

/* A verified hit: the work's, or the miner's share. */
static void on_hit(void *user, struct synth__job *job, const void *payload, uint32_t roll,
                   uint32_t nonce, const struct synth_verdict *verdict, unsigned device)
{
  struct synth_runtime *rt = user;
  if (job->owner) /* submitted work, not a mining job */
    synth__work_hit(job->owner, (uint64_t)roll << 32 | nonce, verdict, device);
  else
    synth__mine_share(rt, job, payload, roll, nonce, verdict, device);
}

/* Opens and self-tests one device. A device that fails is left out with the reason logged;
 * the others still hash. Returns whether it opened. */
static bool open_one(struct synth_runtime *rt, const struct synth__probed *p,
                     const struct synth__device_desc *desc, const struct synth_runtime_config *cfg,
                     struct synth__opened *out)
{
  void *dev = NULL;
  int rc = p->ops->open(p->backend, desc, rt->workload, &dev);
  if (rc == SYNTH_ENOTSUP) {
    synth__log_info(&rt->log, "%s (%s) sits this workload out: %s has no code for it", desc->id,
                    desc->name, rt->workload->name);
    return false;
  }
  if (rc != 0) {
    synth__log_error(&rt->log, "%s (%s) left out: cannot open it: %s", desc->id, desc->name,
                     synth_strerror(rc));
    return false;
  }
  rc = p->ops->self_test(dev, rt->workload);
  if (rc != 0) {
    synth__log_error(&rt->log, "%s (%s) left out: its known-answer self-test failed", desc->id,
                     desc->name);
    p->ops->close(dev);
    return false;
  }
  *out = (struct synth__opened){.ops = p->ops, .dev = dev, .desc = *desc};
  if (p->ops->engine)
    p->ops->engine(dev, out->desc.engine, sizeof out->desc.engine);
  /* A native CPU worker pulls a few milliseconds of work; a GPU (or an OpenCL or Vulkan CPU
   * device) launches about 50 ms, long enough to hide the launch cost. */
  if (desc->kind == SYNTH_DEVICE_CPU)
    out->latency_s = (cfg->cpu_target_latency_ms > 0 ? cfg->cpu_target_latency_ms : 5) / 1000.0;
  else
    out->latency_s = (cfg->gpu_target_latency_ms > 0 ? cfg->gpu_target_latency_ms : 50) / 1000.0;
  synth__log_debug(&rt->log, "%s: %s, %s, %s", desc->id, desc->name, desc->detail,
                   out->desc.engine);
  return true;
}

/* WorkUnits sized for both kinds of device: with a GPU, a batch of 50 ms is hundreds of
 * millions of nonces and larger units keep the queues short (a GPU's high mark of six 50 ms
 * batches at 8 GH/s is 18,000 units of 2^17), yet one unit must stay within a CPU worker's
 * 5 ms target (2^17 nonces take 3.7 ms at 35 MH/s; 2^18 took 7.5 ms). CPU cores alone want
 * units of well under a millisecond. */
static unsigned unit_log2_for(const struct synth__opened *devs, size_t n, unsigned asked)
{
  if (asked)
    return asked;
  for (size_t i = 0; i < n; i++) {
    if (devs[i].desc.kind != SYNTH_DEVICE_CPU && !devs[i].desc.host_cpu)
      return 17;
  }
  return 14;
}

/* How long each of two twins hashes to show which API is faster. */
#define TWIN_MEASURE_MS 300

/* Opens every selected device, then hands them to a new scheduler. */
static int open_devices(struct synth_runtime *rt, const struct synth_runtime_config *cfg)
{
  size_t cap = rt->probed.selected, n = 0;
  struct synth__opened *devs = calloc(cap ? cap : 1, sizeof *devs);
  if (!devs)
    return SYNTH_ENOMEM;
  for (size_t b = 0; b < rt->probed.n; b++) {
    const struct synth__probed *p = &rt->probed.items[b];
    for (size_t i = 0; i < p->descs.count && n < cap; i++) {
      if (p->descs.items[i].selected && open_one(rt, p, &p->descs.items[i], cfg, &devs[n]))
        n++;
    }
  }
  n = synth__twins_choose(devs, n, rt->workload, TWIN_MEASURE_MS, &rt->log);
  int rc = 0;
  if (n == 0) {
    synth__log_error(&rt->log, "no selected device could be opened");
    rc = SYNTH_ENODEV;
  }
  struct synth__sched_config scfg = {
      .unit_log2 = unit_log2_for(devs, n, cfg->unit_log2),
      .on_hit = on_hit,
      .on_done = synth__work_job_done,
      .hit_user = rt,
      .log = &rt->log,
      .batch_timeout_ms = cfg->batch_timeout_ms,
      .policy = synth__sched_policy_find(cfg->scheduler_policy),
      .health =
          {
              .error_rate_limit = cfg->error_rate_limit,
              .overrun_factor = cfg->overrun_factor,
              .retry_ns = (uint64_t)cfg->sick_retry_ms * 1000000u,
              .sick_limit = cfg->sick_limit,
          },
  };
  if (rc == 0)
    rc = synth__sched_create(&rt->sched, &scfg);
  if (rc == 0)
    synth__log_debug(&rt->log, "scheduler policy %s: %s", scfg.policy->name,
                     scfg.policy->description);
  size_t handed = 0; /* the scheduler owns (and on failure closed) devs[0 .. handed) */
  while (rc == 0 && handed < n) {
    const struct synth__opened *o = &devs[handed++];
    int idx = synth__sched_add_device(rt->sched, o->ops, o->dev, &o->desc, o->latency_s);
    if (idx < 0)
      rc = idx;
  }
  for (size_t i = handed; i < n; i++)
    devs[i].ops->close(devs[i].dev);
  free(devs);
  if (rc == 0)
    rc = bind_sensors(rt, cfg);
  return rc;
}

int synth_runtime_create(synth_runtime **out, const struct synth_runtime_config *cfg)
{
  if (!out || !cfg)
    return SYNTH_EINVAL;
  struct synth_runtime *rt = calloc(1, sizeof *rt);
  if (!rt)
    return SYNTH_ENOMEM;
  rt->log = (struct synth__logger){cfg->log_fn, cfg->log_user, cfg->log_level};
  rt->created_ns = synth__now_ns();
  rt->workload = cfg->workload;
  synth__work_list_init(&rt->works, NULL, &rt->log);

  int rc = check_config(cfg, &rt->log);
  if (rc == 0)
    rc = synth__workload_check(cfg->workload, &rt->log);
  if (rc == 0)
    rc = synth__probe_devices(cfg, &rt->log, &rt->probed);
  if (rc != 0) {
    free(rt);
    return rc;
  }
  rc = open_devices(rt, cfg);
  if (rc != 0) {
    synth_runtime_destroy(rt);
    return rc;
  }
  rt->works.sched = rt->sched;
  *out = rt;
  return 0;
}

/* Stop and destroy from a callback would join the thread they run on. */
static int refuse_in_callback(const struct synth_runtime *rt, const char *what)
{
  if (!synth__in_callback())
    return 0;
  synth__log_error(&rt->log,
                   "%s: not from inside a callback (it would wait for the thread it "
                   "runs on); call it from another thread",
                   what);
  return SYNTH_EDEADLK;
}

int synth_runtime_destroy(synth_runtime *rt)
{
  if (!rt)
    return 0;
  int rc = refuse_in_callback(rt, "synth_runtime_destroy");
  if (rc != 0)
    return rc;
  if (rt->sched)
    synth__sched_stop(rt->sched);
  synth__work_list_clear(&rt->works); /* works in flight end, said to their owners */
  synth__sched_destroy(rt->sched);    /* closes the devices before their backends go */
  synth__probe_set_free(&rt->probed);
  pthread_mutex_destroy(&rt->works.lock);
  free(rt);
  return 0;
}

int synth_runtime_start(synth_runtime *rt)
{
  return rt ? synth__sched_start(rt->sched) : SYNTH_EINVAL;
}

int synth_runtime_stop(synth_runtime *rt)
{
  if (!rt)
    return SYNTH_EINVAL;
  int rc = refuse_in_callback(rt, "synth_runtime_stop");
  if (rc == 0)
    synth__sched_stop(rt->sched);
  return rc;
}

unsigned synth_runtime_device_count(const synth_runtime *rt)
{
  return rt ? synth__sched_device_count(rt->sched) : 0;
}

int synth_runtime_device_stats(synth_runtime *rt, unsigned index, struct synth_device_stats *out,
                               size_t out_size)
{
  size_t minimum = offsetof(struct synth_device_stats, seconds);
  if (!rt || !out || index >= synth__sched_device_count(rt->sched) || out_size < minimum)
    return SYNTH_EINVAL;
  struct synth_device_stats full;
  synth__sched_device_stats(rt->sched, index, &full);
  memcpy(out, &full, out_size < sizeof full ? out_size : sizeof full);
  return 0;
}

/* Work whose workload makes its own job data out of what was submitted (adopt_data), and
 * allows only the indexes that data has. */
static int submit_adopted(synth_runtime *rt, const struct synth_work_config *cfg, synth_work **out)
{
  const struct synth_workload *wl = rt->workload;
  void *job = NULL;
  size_t job_size = 0;
  uint64_t first = 0, count = 0;
  char why[256] = "";
  int rc =
      wl->adopt_data(cfg->data, cfg->data_size, &job, &job_size, &first, &count, why, sizeof why);
  if (rc != 0) {
    synth__log_error(&rt->log, "submit: the %s workload refuses this work's data: %s", wl->name,
                     why[0] ? why : synth_strerror(rc));
    return rc < 0 ? rc : SYNTH_EINVAL;
  }
  uint64_t last = count ? first + count : 0; /* one past; 0 when the space runs to 2^64 */
  struct synth_work_config within = *cfg;
  if (cfg->start < first || (last && (cfg->start >= last || cfg->end > last))) {
    synth__log_error(&rt->log,
                     "submit: work [%llu, %llu) is outside the data's indexes [%llu, %llu)",
                     (unsigned long long)cfg->start, (unsigned long long)cfg->end,
                     (unsigned long long)first, (unsigned long long)last);
    wl->free_job(job);
    return SYNTH_EINVAL;
  }
  if (!cfg->end)
    within.end = last; /* open-ended work ends with the data's indexes */
  struct synth__work_data made = {job, job_size, wl->free_job};
  rc = synth__work_submit(&rt->works, wl, &within, &made, out);
  if (rc != 0)
    wl->free_job(job);
  return rc;
}

int synth_runtime_submit(synth_runtime *rt, const struct synth_work_config *cfg, synth_work **out)
{
  if (!rt)
    return SYNTH_EINVAL;
  if (!cfg || !out) {
    synth__log_error(&rt->log, "submit: %s is NULL", cfg ? "out" : "cfg");
    return SYNTH_EINVAL;
  }
  if (rt->workload->adopt_data)
    return submit_adopted(rt, cfg, out);
  return synth__work_submit(&rt->works, rt->workload, cfg, NULL, out);
}

int synth_runtime_batch_trace(synth_runtime *rt, unsigned index, uint64_t *cursor,
                              struct synth_batch_record *out, size_t max, size_t *count)
{
  if (!rt || !cursor || !count || (!out && max) || index >= synth__sched_device_count(rt->sched))
    return SYNTH_EINVAL;
  *count = synth__sched_batch_trace(rt->sched, index, cursor, out, max, rt->created_ns);
  return 0;
}

/* "6d657361-3232-2e33-2e36-000000000000": the usual UUID spelling. */
static void format_uuid(const unsigned char u[16], char *out, size_t size)
{
  snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
           u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
           u[15]);
}

int synth_probe(const struct synth_runtime_config *cfg, synth_probe_fn fn, void *user)
{
  if (!cfg || !fn)
    return SYNTH_EINVAL;
  struct synth__logger log = {cfg->log_fn, cfg->log_user, cfg->log_level};
  struct synth__probe_set set;
  int rc = synth__probe_devices(cfg, &log, &set);
  if (rc != 0)
    return rc;
  struct synth__sensing_config sc = {cfg->sensor_root, cfg->nvml_library, 0, false};
  struct synth__nvml *nvml = NULL;
  bool nvml_tried = cfg->nvml_library && !cfg->nvml_library[0]; /* "": none */
  for (size_t b = 0; b < set.n; b++) {
    const struct synth__probed *p = &set.items[b];
    for (size_t i = 0; i < p->descs.count; i++) {
      const struct synth__device_desc *d = &p->descs.items[i];
      char uuid[40] = "";
      if (d->has_uuid)
        format_uuid(d->uuid, uuid, sizeof uuid);
      if (!nvml_tried && (d->kind == SYNTH_DEVICE_OPENCL || d->kind == SYNTH_DEVICE_VULKAN) &&
          !d->host_cpu) {
        char why[160];
        nvml = synth__nvml_open(cfg->nvml_library, why, sizeof why);
        nvml_tried = true;
      }
      char sensors[64];
      struct synth__sensor_reading r;
      synth__sensing_probe(&sc, nvml, d, sensors, sizeof sensors, &r);
      struct synth_device_desc pub = {
          .id = d->id,
          .kind = d->kind,
          .name = d->name,
          .detail = d->detail,
          .topology = p->topology,
          .engine = d->engine,
          .selected = d->selected,
          .uuid = uuid,
          .pci = d->pci,
          .twin = d->twin,
          .sensors = sensors,
          .sensed = r.have & (SYNTH_SENSED_TEMP | SYNTH_SENSED_POWER),
          .temp_c = r.temp_c,
          .power_w = r.power_w,
      };
      fn(user, &pub);
    }
  }
  synth__nvml_close(nvml);
  synth__probe_set_free(&set);
  return 0;
}
