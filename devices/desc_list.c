/* desc_list.c: a growable array of probed device descriptions. */
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
