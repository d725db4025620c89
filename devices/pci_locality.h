/* pci_locality.h: the processing units nearest a PCI device (a GPU), for the thread that feeds
 * it. */
#ifndef SYNTH_DEVICES_PCI_LOCALITY_H
#define SYNTH_DEVICES_PCI_LOCALITY_H

#include <stddef.h>

/*
 * Binds the calling thread to the PUs nearest the PCI device at pci ("0000:17:00.0"): its
 * NUMA-local CPUs as the kernel lists them (/sys/bus/pci/devices/PCI/local_cpulist, what hwloc
 * reads on Linux for a PCI device's locality). On a machine with several GPUs on several
 * sockets each feeder thread then runs beside its GPU and its memory. Safe on many device
 * threads at once. where gets what happened, for the device's figures: "PUs 0-15 (NUMA node
 * 0)", or why nothing was bound ("no PCI address", "0000:17:00.0: no such PCI device").
 * Returns 0 when bound, -1 otherwise (the thread runs where the OS puts it: slower at worst).
 */
int synth__bind_near_pci(const char *pci, char *where, size_t size);

#endif
