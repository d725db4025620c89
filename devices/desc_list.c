/* desc_list.c: a growable array of probed device descriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device.h"

struct synth__device_desc *synth__desc_list_push(struct synth__desc_list *list)
{
  if (list->count == list->capacity) {
    size_t cap = list->capacity ? list->capacity * 2 : 8;
    struct synth__device_desc *items = realloc(list->items, cap * sizeof *items);
    if (!items)
      return NULL;
    list->items = items;
    list->capacity = cap;
  }
  struct synth__device_desc *d = &list->items[list->count++];
  memset(d, 0, sizeof *d);
  return d;
}

void synth__desc_list_free(struct synth__desc_list *list)
{
  free(list->items);
  memset(list, 0, sizeof *list);
}

void synth__desc_set_gpu(struct synth__device_desc *d, const char *api, enum synth_device_kind kind,
                         size_t i, const char *name, int host_cpu, const unsigned char uuid[16],
                         int has_uuid, const char *pci)
{
  snprintf(d->id, sizeof d->id, "%s:%zu", api, i);
  snprintf(d->name, sizeof d->name, "%s", name);
  snprintf(d->engine, sizeof d->engine, "%s", api);
  d->kind = kind;
  d->index0 = (int)i;
  d->index1 = -1;
  d->host_cpu = host_cpu;
  d->selected = !host_cpu;
  memcpy(d->uuid, uuid, sizeof d->uuid);
  d->has_uuid = has_uuid;
  snprintf(d->pci, sizeof d->pci, "%s", pci);
}
