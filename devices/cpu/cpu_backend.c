/* cpu_backend.c: the native CPU device: one persistent, pinned worker per core. */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "devices/cpu/core_select.h"
#include "devices/cpu/cpu_options.h"
#include "devices/cpu/cpu_topology.h"
#include "devices/device.h"
#include "devices/device_run.h"
#include "synth/error.h"

struct cpu_backend {
  struct synth__cpu_topology topo;
  struct synth__cpu_slot *slots;
  size_t nslots;
  const struct synth__logger *log;
  /* The core chosen for the last workload (the probe config's, or the last one opened). */
  const struct synth_workload *workload;
  struct synth__core_choice choice;
  char cache_dir[512]; /* "" when nothing is cached */
};

/* Where the core ranking is cached: per CPU model, under the probe config's cache folder. */
static struct synth__core_cache core_cache(const struct cpu_backend *b)
{
  return (struct synth__core_cache){b->cache_dir[0] ? b->cache_dir : NULL,
                                    b->topo.model[0] ? b->topo.model : "unknown CPU"};
}

struct cpu_device {
  struct cpu_backend *backend;
  char id[32];
  char pus[64];
  const struct synth_cpu_core *core;
  struct synth__batch *pending; /* submitted, hashed by the next poll */
};

static int cpu_backend_create(const struct synth__probe_config *cfg, void **out)
{
  struct cpu_backend *b = calloc(1, sizeof *b);
  if (!b)
    return SYNTH_ENOMEM;
  b->log = cfg->log;
  snprintf(b->cache_dir, sizeof b->cache_dir, "%s", cfg->cache_dir ? cfg->cache_dir : "");
  int rc = synth__cpu_topology_load(&b->topo, cfg->cpu_topology_synthetic);
  if (rc != 0) {
    synth__log_error(cfg->log, "cannot read the CPU topology (hwloc)");
    free(b);
    return rc;
  }
  const struct synth__option_value *threads = synth__option_given(cfg, SYNTH_CPU_OPT_THREADS);
  const struct synth__option_value *affinity = synth__option_given(cfg, SYNTH_CPU_OPT_AFFINITY);
  const struct synth__option_value *core = synth__option_given(cfg, SYNTH_CPU_OPT_CORE);
  rc =
      synth__cpu_topology_layout(&b->topo, threads ? (unsigned)threads->number : 0,
                                 affinity ? affinity->text : NULL, cfg->log, &b->slots, &b->nslots);
  if (rc == 0 && cfg->workload) {
    b->workload = cfg->workload;
    struct synth__core_cache cache = core_cache(b);
    rc = synth__cpu_core_choose(cfg->workload, core ? core->text : NULL, &cache, cfg->log,
                                &b->choice);
  }
  if (rc != 0) {
    free(b->slots);
    synth__cpu_topology_unload(&b->topo);
    free(b);
    return rc;
  }
  *out = b;
  return 0;
}

static void cpu_backend_destroy(void *backend)
{
  struct cpu_backend *b = backend;
  if (!b)
    return;
  free(b->slots);
  synth__cpu_topology_unload(&b->topo);
  free(b);
}

static int cpu_probe(void *backend, const struct synth__probe_config *cfg,
                     struct synth__desc_list *out, char *topology, size_t topology_size)
{
  (void)cfg;
  struct cpu_backend *b = backend;
  const char *model = b->topo.model[0] ? b->topo.model : "CPU";
  int n = snprintf(topology, topology_size, "%d package%s, %d cores, %d processing units: %s",
                   b->topo.packages, b->topo.packages == 1 ? "" : "s", b->topo.cores, b->topo.pus,
                   model);
  if (b->choice.core && n > 0 && (size_t)n < topology_size)
    snprintf(topology + n, topology_size - (size_t)n, "; %s core %s, %s", b->workload->name,
             b->choice.core->name, b->choice.why);
  for (size_t i = 0; i < b->nslots; i++) {
    const struct synth__cpu_slot *slot = &b->slots[i];
    struct synth__device_desc *d = synth__desc_list_push(out);
    if (!d)
      return SYNTH_ENOMEM;
    snprintf(d->id, sizeof d->id, "cpu:%zu", i);
    snprintf(d->name, sizeof d->name, "%s core %d", model, slot->core);
    d->package = slot->package;
    snprintf(d->detail, sizeof d->detail, "package %d, core %d, PU %s", slot->package, slot->core,
             slot->pus);
    snprintf(d->affinity, sizeof d->affinity, "%s", slot->pus);
    if (b->choice.core)
      snprintf(d->engine, sizeof d->engine, "%s", b->choice.core->name);
    d->kind = SYNTH_DEVICE_CPU;
    d->index0 = (int)i;
    d->index1 = -1;
    d->selected = slot->selected;
  }
  return 0;
}

static int cpu_open(void *backend, const struct synth__device_desc *desc,
                    const struct synth_workload *workload, void **out)
{
  struct cpu_backend *b = backend;
  if (workload != b->workload || !b->choice.core) {
    /* Another workload than the probe's: choose once for it, every device reuses the choice.
     * Devices are opened one at a time, on the creating thread. */
    struct synth__core_choice choice;
    struct synth__core_cache cache = core_cache(b);
    int rc = synth__cpu_core_choose(workload, NULL, &cache, b->log, &choice);
    if (rc != 0)
      return rc;
    b->workload = workload;
    b->choice = choice;
  }
  const struct synth_cpu_core *core = b->choice.core;
  struct cpu_device *dev = calloc(1, sizeof *dev);
  if (!dev)
    return SYNTH_ENOMEM;
  dev->backend = backend;
  dev->core = core;
  snprintf(dev->id, sizeof dev->id, "%s", desc->id);
  snprintf(dev->pus, sizeof dev->pus, "%s", desc->affinity);
  *out = dev;
  return 0;
}

static int cpu_self_test(void *device, const struct synth_workload *workload)
{
  struct cpu_device *dev = device;
  if (!workload->known_answer)
    return 0;
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  struct synth_known_answer known;
  const struct synth_known_answer *ka = &known;
  workload->known_answer(payload, &known);
  atomic_uint epoch = 0;
  uint32_t hits[SYNTH_BATCH_MAX_HITS];
  struct synth_scan_ctl ctl = {
      .epoch_now = &epoch, .epoch = 0, .hits = hits, .max_hits = SYNTH_BATCH_MAX_HITS};
  uint32_t done = dev->core->scan(payload, ka->nonce_start, ka->count, &ctl);
  if (done != ka->count || !synth__known_hits_match(ka, &ctl)) {
    synth__log_error(dev->backend->log,
                     "%s: %s core failed the %s known-answer test "
                     "(%u hits, %zu expected)",
                     dev->id, dev->core->name, workload->name, ctl.nhits, ka->n_expect);
    return SYNTH_ESELFTEST;
  }
  return 0;
}

static int cpu_thread_init(void *device)
{
  struct cpu_device *dev = device;
  if (dev->pus[0] && synth__cpu_topology_pin(&dev->backend->topo, dev->pus) != 0)
    /* Unpinned hashing is slower, not wrong: keep going. */
    synth__log_warn(dev->backend->log, "%s: cannot pin to PU %s; hashing unpinned", dev->id,
                    dev->pus);
  return 0;
}

static int cpu_submit(void *device, struct synth__batch *batch)
{
  struct cpu_device *dev = device;
  if (dev->pending)
    return SYNTH_ESTATE;
  dev->pending = batch;
  return 0;
}

/* The CPU hashes synchronously, on the worker thread that polls. */
static int cpu_poll(void *device, struct synth__batch **done, int timeout_ms)
{
  (void)timeout_ms;
  struct cpu_device *dev = device;
  struct synth__batch *b = dev->pending;
  if (!b)
    return SYNTH_EAGAIN;
  b->done = dev->core->scan(b->payload, b->range.nonce_start, b->range.count, &b->ctl);
  dev->pending = NULL;
  *done = b;
  return 0;
}

static void cpu_close(void *device)
{
  free(device);
}

const struct synth__device_ops synth__cpu_device_ops = {
    .name = "cpu",
    .kind = SYNTH_DEVICE_CPU,
    .max_inflight = 1,
    .default_latency_ms = 5.0,
    .options = synth__cpu_options,
    .backend_create = cpu_backend_create,
    .backend_destroy = cpu_backend_destroy,
    .probe = cpu_probe,
    .open = cpu_open,
    .self_test = cpu_self_test,
    .thread_init = cpu_thread_init,
    .submit = cpu_submit,
    .poll = cpu_poll,
    .close = cpu_close,
};
