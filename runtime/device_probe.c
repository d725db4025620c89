/* device_probe.c: asks every built-in backend for its devices and applies the --devices list. */
#include "runtime/device_probe.h"

#include <string.h>

#include "base/logger.h"
#include "runtime/device_options.h"
#include "runtime/device_select.h"
#include "runtime/device_twins.h"
#include "synth/error.h"

static bool named_explicitly(const struct synth__device_selection *sel, enum synth_device_kind k)
{
  for (size_t i = 0; i < sel->n; i++) {
    if (sel->picks[i].kind == k)
      return true;
  }
  return false;
}

static const struct synth__probed *probed_kind(const struct synth__probe_set *set,
                                               enum synth_device_kind kind)
{
  for (size_t i = 0; i < set->n; i++) {
    if (set->items[i].ops->kind == kind)
      return &set->items[i];
  }
  return NULL;
}

/*
 * OpenCL and Vulkan devices of type CPU hash on the same cores as the native CPU backend, so
 * they are left out by default. When no native CPU worker runs (--devices opencl on a machine
 * whose only OpenCL device is its CPU, say), a kind-wide pick takes them too. "kind:N" always
 * takes what it names, and "everything" takes them all (device_select.c).
 */
static void apply_host_cpu_rule(const struct synth__device_selection *sel,
                                struct synth__probe_set *set)
{
  bool native_cpu = false;
  for (size_t b = 0; b < set->n; b++) {
    for (size_t i = 0; i < set->items[b].descs.count; i++) {
      const struct synth__device_desc *d = &set->items[b].descs.items[i];
      native_cpu |= d->kind == SYNTH_DEVICE_CPU && d->selected;
    }
  }
  if (native_cpu)
    return;
  for (size_t b = 0; b < set->n; b++) {
    for (size_t i = 0; i < set->items[b].descs.count; i++) {
      struct synth__device_desc *d = &set->items[b].descs.items[i];
      for (size_t k = 0; d->host_cpu && k < sel->n; k++)
        d->selected |= sel->picks[k].kind == d->kind && sel->picks[k].index < 0;
    }
  }
}

/* Every "kind:N" must name a device that exists. */
static int check_picks(const struct synth__device_selection *sel,
                       const struct synth__probe_set *set, const struct synth__logger *log)
{
  for (size_t i = 0; i < sel->n; i++) {
    const struct synth__device_pick *p = &sel->picks[i];
    const char *kind = synth_device_kind_name(p->kind);
    const struct synth__probed *b = probed_kind(set, p->kind);
    if (!b) {
      synth__log_error(log, "devices: this build has no %s backend", kind);
      return SYNTH_ENODEV;
    }
    if (p->index >= 0 && (size_t)p->index >= b->descs.count) {
      synth__log_error(log, "devices: no device %s:%d (%zu %s device%s found)", kind, p->index,
                       b->descs.count, kind, b->descs.count == 1 ? "" : "s");
      return SYNTH_ENODEV;
    }
  }
  return 0;
}

/* Creates one backend and lists its devices into item. Returns 0, or an error that must stop
 * the whole probe. */
static int probe_backend(const struct synth__device_ops *ops,
                         const struct synth__probe_config *pcfg,
                         const struct synth__device_selection *sel, const struct synth__logger *log,
                         struct synth__probed *item)
{
  memset(item, 0, sizeof *item);
  item->ops = ops;
  int rc = ops->backend_create(pcfg, &item->backend);
  if (rc != 0) {
    /* A bad setting is always an error; a backend with no platform only when asked for, and
     * then it says which kind is missing (the backend may have said why already). */
    if (rc == SYNTH_EINVAL)
      return rc;
    if (named_explicitly(sel, ops->kind)) {
      synth__log_error(log, "devices: no %s device here (%s backend: %s)",
                       synth_device_kind_name(ops->kind), ops->name, synth_strerror(rc));
      return rc;
    }
    synth__log_info(log, "%s backend unavailable: %s", ops->name, synth_strerror(rc));
    item->backend = NULL;
    return 0;
  }
  rc = ops->probe(item->backend, pcfg, &item->descs, item->topology, sizeof item->topology);
  if (rc != 0) {
    synth__log_error(log, "%s backend: probing failed: %s", ops->name, synth_strerror(rc));
    return rc;
  }
  for (size_t i = 0; i < item->descs.count; i++) {
    struct synth__device_desc *d = &item->descs.items[i];
    d->selected = synth__device_selection_match(sel, d, (int)i);
    d->named = synth__device_selection_names(sel, d->kind, (int)i);
  }
  return 0;
}

static struct synth__desc_list *descs_of(struct synth__probe_set *set, enum synth_device_kind k)
{
  for (size_t i = 0; i < set->n; i++) {
    if (set->items[i].ops->kind == k)
      return &set->items[i].descs;
  }
  return NULL;
}

int synth__probe_devices(const struct synth_runtime_config *cfg, const struct synth__logger *log,
                         struct synth__probe_set *set)
{
  memset(set, 0, sizeof *set);
  struct synth__device_selection sel;
  enum synth__prefer prefer;
  int rc = synth__device_selection_parse(cfg->devices, &sel, log);
  if (rc == 0)
    rc = synth__prefer_parse(cfg->prefer, &prefer, log);
  if (rc != 0)
    return rc;
  /* Every option is checked, also those of backends the device list leaves out. */
  struct synth__device_options opts;
  rc = synth__device_options_parse(cfg, log, &opts);
  if (rc != 0) {
    synth__device_options_free(&opts);
    return rc;
  }
  struct synth__probe_config pcfg = {
      .workload = cfg->workload, /* NULL (a listing): no engine chosen */
      .cache_dir = cfg->cache_dir,
      .log = log,
  };
  for (size_t b = 0; b < SYNTH_MAX_BACKENDS && synth__device_backends[b]; b++) {
    const struct synth__device_ops *ops = synth__device_backends[b];
    if (!synth__device_selection_wants(&sel, ops->kind))
      continue;
    pcfg.options = opts.values[b];
    struct synth__probed *item = &set->items[set->n];
    rc = probe_backend(ops, &pcfg, &sel, log, item);
    if (rc != 0) {
      if (item->backend)
        ops->backend_destroy(item->backend);
      synth__desc_list_free(&item->descs);
      goto fail;
    }
    set->n++;
  }
  apply_host_cpu_rule(&sel, set);
  synth__twins_pair(descs_of(set, SYNTH_DEVICE_OPENCL), descs_of(set, SYNTH_DEVICE_VULKAN), prefer,
                    log);
  set->selected = 0;
  for (size_t b = 0; b < set->n; b++) {
    for (size_t i = 0; i < set->items[b].descs.count; i++)
      set->selected += set->items[b].descs.items[i].selected ? 1 : 0;
  }
  rc = check_picks(&sel, set, log);
  if (rc == 0 && set->selected == 0) {
    synth__log_error(log, "devices '%s' selects no device", cfg->devices ? cfg->devices : "all");
    rc = SYNTH_ENODEV;
  }
  if (rc == 0) {
    synth__device_options_free(&opts); /* backends copied what they keep */
    return 0;
  }
fail:
  synth__device_options_free(&opts);
  synth__probe_set_free(set);
  return rc;
}

void synth__probe_set_free(struct synth__probe_set *set)
{
  for (size_t i = 0; i < set->n; i++) {
    struct synth__probed *item = &set->items[i];
    if (item->backend)
      item->ops->backend_destroy(item->backend);
    synth__desc_list_free(&item->descs);
  }
  memset(set, 0, sizeof *set);
}
