/* pci_locality.c: the processing units nearest a PCI device, as the kernel tells them. */
#include "devices/pci_locality.h"

#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

/* The first line of /sys/bus/pci/devices/PCI/name into buf. Returns 0 or -1. */
static int read_attr(const char *pci, const char *name, char *buf, size_t size)
{
  char path[128];
  snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/%s", pci, name);
  FILE *f = fopen(path, "re");
  if (!f)
    return -1;
  char *line = fgets(buf, (int)size, f);
  fclose(f);
  if (!line)
    return -1;
  buf[strcspn(buf, "\n")] = '\0';
  return 0;
}

int synth__bind_near_pci(const char *pci, char *where, size_t size)
{
  unsigned domain, bus, dev, func;
  char tail;
  if (!pci || sscanf(pci, "%x:%x:%x.%x%c", &domain, &bus, &dev, &func, &tail) != 4) {
    snprintf(where, size, "no PCI address");
    return -1;
  }
  /* What hwloc reads on Linux too: the device's NUMA-local CPUs, without loading hwloc's I/O
   * plugins on every device thread. */
  char list[256], node[16];
  if (read_attr(pci, "local_cpulist", list, sizeof list) != 0) {
    snprintf(where, size, "%s: no such PCI device", pci);
    return -1;
  }
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  int rc = -1;
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (!set || hwloc_bitmap_list_sscanf(set, list) != 0 || hwloc_bitmap_iszero(set)) {
    snprintf(where, size, "%s: no local CPUs", pci);
    goto out;
  }
  for (int pu = hwloc_bitmap_first(set); pu >= 0; pu = hwloc_bitmap_next(set, pu))
    if (pu < CPU_SETSIZE)
      CPU_SET(pu, &cpus);
  char pus[48];
  hwloc_bitmap_list_snprintf(pus, sizeof pus, set);
  if (pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus) != 0) {
    snprintf(where, size, "PUs %s near %s: cannot bind there", pus, pci);
    goto out;
  }
  if (read_attr(pci, "numa_node", node, sizeof node) == 0 && node[0] != '-')
    snprintf(where, size, "PUs %s (NUMA node %s)", pus, node);
  else
    snprintf(where, size, "PUs %s", pus);
  rc = 0;
out:
  hwloc_bitmap_free(set);
  return rc;
}
