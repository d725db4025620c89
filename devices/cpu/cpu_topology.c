/* cpu_topology.c: the machine's cores from hwloc, and which of them get a pinned worker. */
#include "devices/cpu/cpu_topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "devices/cpu/pu_list.h"
#include "synth/error.h"

int synth__cpu_topology_load(struct synth__cpu_topology *t, const char *synthetic)
{
  memset(t, 0, sizeof *t);
  if (hwloc_topology_init(&t->topo) != 0)
    return SYNTH_ESYSTEM;
  if (synthetic && hwloc_topology_set_synthetic(t->topo, synthetic) != 0) {
    hwloc_topology_destroy(t->topo);
    return SYNTH_EINVAL;
  }
  if (hwloc_topology_load(t->topo) != 0) {
    hwloc_topology_destroy(t->topo);
    return SYNTH_ESYSTEM;
  }
  t->packages = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
  t->cores = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
  t->pus = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
  hwloc_obj_t pkg = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, 0);
  const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
  snprintf(t->model, sizeof t->model, "%s", model ? model : "");
  return 0;
}

void synth__cpu_topology_unload(struct synth__cpu_topology *t)
{
  if (t->topo)
    hwloc_topology_destroy(t->topo);
  t->topo = NULL;
}

static int package_of(hwloc_topology_t topo, hwloc_obj_t obj)
{
  hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, obj);
  return pkg ? (int)pkg->logical_index : -1;
}

/* One slot per core, pinned to the core's PUs. */
static int layout_cores(const struct synth__cpu_topology *t, struct synth__cpu_slot *slots)
{
  for (int i = 0; i < t->cores; i++) {
    hwloc_obj_t core = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, (unsigned)i);
    slots[i].package = package_of(t->topo, core);
    slots[i].core = i;
    hwloc_bitmap_list_snprintf(slots[i].pus, sizeof slots[i].pus, core->cpuset);
  }
  return t->cores;
}

/* One slot per PU of the list. Returns the count, or -1 with the reason logged. */
static int layout_pus(const struct synth__cpu_topology *t, const unsigned *pus, size_t n,
                      const struct synth__logger *log, struct synth__cpu_slot *slots)
{
  for (size_t i = 0; i < n; i++) {
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, pus[i]);
    if (!pu) {
      synth__log_error(log,
                       "device option cpu.affinity: processing unit %u does not exist (this "
                       "machine has %d)",
                       pus[i], t->pus);
      return -1;
    }
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_CORE, pu);
    slots[i].package = package_of(t->topo, pu);
    slots[i].core = core ? (int)core->logical_index : -1;
    snprintf(slots[i].pus, sizeof slots[i].pus, "%u", pus[i]);
  }
  return (int)n;
}

int synth__cpu_topology_layout(const struct synth__cpu_topology *t, unsigned threads,
                               const char *affinity, const struct synth__logger *log,
                               struct synth__cpu_slot **slots_out, size_t *count_out)
{
  unsigned pus[SYNTH_PU_LIST_MAX];
  size_t npus = 0;
  if (affinity) {
    int rc = synth__pu_list_parse(affinity, pus, SYNTH_PU_LIST_MAX, &npus);
    if (rc != 0) {
      synth__log_error(log,
                       "device option cpu.affinity=%s: expected a list of processing units "
                       "such as 0,2-3",
                       affinity);
      return rc;
    }
  }
  size_t cap = affinity ? npus : (size_t)(t->cores > 0 ? t->cores : 1);
  struct synth__cpu_slot *slots = calloc(cap, sizeof *slots);
  if (!slots)
    return SYNTH_ENOMEM;
  int n = affinity ? layout_pus(t, pus, npus, log, slots) : layout_cores(t, slots);
  if (n < 0) {
    free(slots);
    return SYNTH_EINVAL;
  }
  if (n == 0 || threads > (unsigned)n) {
    synth__log_error(log, "device option cpu.threads=%u: only %d %s available", threads, n,
                     affinity ? "processing units are listed" : "cores are");
    free(slots);
    return SYNTH_EINVAL;
  }
  unsigned use = threads ? threads : (unsigned)n;
  for (unsigned i = 0; i < use; i++)
    slots[i].selected = 1;
  *slots_out = slots;
  *count_out = (size_t)n;
  return 0;
}

int synth__cpu_topology_pin(const struct synth__cpu_topology *t, const char *pus)
{
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  if (!set)
    return SYNTH_ENOMEM;
  int rc = 0;
  if (hwloc_bitmap_list_sscanf(set, pus) != 0 ||
      hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD) != 0)
    rc = SYNTH_ESYSTEM;
  hwloc_bitmap_free(set);
  return rc;
}
