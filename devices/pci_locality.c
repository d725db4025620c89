/* pci_locality.c: the processing units nearest a PCI device, from hwloc. */
#include "devices/pci_locality.h"

#include <hwloc.h>
#include <stdio.h>

int synth__bind_near_pci(const char *pci, char *where, size_t size)
{
  unsigned domain, bus, dev, func;
  if (!pci || sscanf(pci, "%x:%x:%x.%x", &domain, &bus, &dev, &func) != 4) {
    snprintf(where, size, "no PCI address");
    return -1;
  }
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0) {
    snprintf(where, size, "no hwloc topology");
    return -1;
  }
  /* PCI devices are not in a topology unless asked for; only the important ones. */
  hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  int rc = -1;
  if (hwloc_topology_load(topo) != 0) {
    snprintf(where, size, "no hwloc topology");
    goto out;
  }
  hwloc_obj_t obj = hwloc_get_pcidev_by_busid(topo, domain, bus, dev, func);
  hwloc_obj_t near = obj ? hwloc_get_non_io_ancestor_obj(topo, obj) : NULL;
  if (!near || !near->cpuset || hwloc_bitmap_iszero(near->cpuset)) {
    snprintf(where, size, "%s is not in hwloc's topology", pci);
    goto out;
  }
  char pus[48];
  hwloc_bitmap_list_snprintf(pus, sizeof pus, near->cpuset);
  hwloc_obj_t node = NULL; /* the NUMA node those PUs belong to, to say so */
  while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)))
    if (hwloc_bitmap_isincluded(near->cpuset, node->cpuset))
      break;
  if (hwloc_set_cpubind(topo, near->cpuset, HWLOC_CPUBIND_THREAD) != 0) {
    snprintf(where, size, "PUs %s near %s: cannot bind there", pus, pci);
    goto out;
  }
  if (node)
    snprintf(where, size, "PUs %s (NUMA node %u)", pus, node->os_index);
  else
    snprintf(where, size, "PUs %s", pus);
  rc = 0;
out:
  hwloc_topology_destroy(topo);
  return rc;
}
