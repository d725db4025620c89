/* device_twins.c: one physical GPU seen through both OpenCL and Vulkan, driven through one. */
#include "runtime/device_twins.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/logger.h"
#include "runtime/device_rate.h"
#include "synth/error.h"

int synth__prefer_parse(const char *text, enum synth__prefer *out, const struct synth__logger *log)
{
  if (!text || strcmp(text, "auto") == 0)
    *out = SYNTH_PREFER_AUTO;
  else if (strcmp(text, "opencl") == 0)
    *out = SYNTH_PREFER_OPENCL;
  else if (strcmp(text, "vulkan") == 0)
    *out = SYNTH_PREFER_VULKAN;
  else {
    synth__log_error(log, "prefer '%s': use auto, opencl or vulkan", text);
    return SYNTH_EINVAL;
  }
  return 0;
}

/* An all-zero UUID is what some drivers report when they have none. */
static bool real_uuid(const struct synth__device_desc *d)
{
  static const unsigned char zero[16];
  return d->has_uuid && memcmp(d->uuid, zero, sizeof zero) != 0;
}

static bool same_hardware(const struct synth__device_desc *a, const struct synth__device_desc *b)
{
  if (real_uuid(a) && real_uuid(b))
    return memcmp(a->uuid, b->uuid, sizeof a->uuid) == 0;
  return a->pci[0] && strcmp(a->pci, b->pci) == 0;
}

size_t synth__twins_pair(struct synth__desc_list *opencl, struct synth__desc_list *vulkan,
                         enum synth__prefer prefer, const struct synth__logger *log)
{
  size_t pairs = 0;
  for (size_t i = 0; opencl && i < opencl->count; i++) {
    struct synth__device_desc *cl = &opencl->items[i];
    for (size_t j = 0; vulkan && j < vulkan->count; j++) {
      struct synth__device_desc *vk = &vulkan->items[j];
      if (vk->twin[0] || !same_hardware(cl, vk))
        continue;
      snprintf(cl->twin, sizeof cl->twin, "%s", vk->id);
      snprintf(vk->twin, sizeof vk->twin, "%s", cl->id);
      pairs++;
      if (!cl->selected || !vk->selected)
        break;
      if (cl->named && vk->named) {
        synth__log_warn(log, "%s and %s are one device, named both: it hashes through both APIs",
                        cl->id, vk->id);
        break;
      }
      struct synth__device_desc *dropped = NULL;
      if (cl->named || vk->named) /* the one named by its id wins over a kind-wide pick */
        dropped = cl->named ? vk : cl;
      else if (prefer != SYNTH_PREFER_AUTO)
        dropped = prefer == SYNTH_PREFER_OPENCL ? vk : cl;
      if (dropped) {
        dropped->selected = 0;
        synth__log_info(log, "%s and %s are one device: hashing through %s", cl->id, vk->id,
                        dropped == vk ? cl->id : vk->id);
      }
      break;
    }
  }
  return pairs;
}

/* Index of the opened device with this id, or n. */
static size_t find_opened(const struct synth__opened *devs, size_t n, const char *id)
{
  size_t i = 0;
  while (i < n && strcmp(devs[i].desc.id, id) != 0)
    i++;
  return i;
}

size_t synth__twins_choose(struct synth__opened *devs, size_t n,
                           const struct synth_workload *workload, unsigned measure_ms,
                           const struct synth__logger *log)
{
  for (size_t i = 0; i < n; i++) {
    if (devs[i].desc.kind != SYNTH_DEVICE_OPENCL || !devs[i].desc.twin[0])
      continue;
    size_t j = find_opened(devs, n, devs[i].desc.twin);
    if (j == n)
      continue;
    double rate[2] = {0, 0};
    size_t pair[2] = {i, j};
    for (int k = 0; k < 2; k++) {
      const struct synth__opened *o = &devs[pair[k]];
      int rc = synth__device_measure_rate(o->ops, o->dev, workload, measure_ms, &rate[k]);
      if (rc != 0)
        synth__log_warn(log, "%s: cannot measure its rate: %s", o->desc.id, synth_strerror(rc));
    }
    size_t keep = rate[1] > rate[0] ? j : i, drop = keep == i ? j : i;
    synth__log_info(log,
                    "%s and %s are one device: %s %.1f MH/s, %s %.1f MH/s; hashing through %s "
                    "(prefer chooses)",
                    devs[i].desc.id, devs[j].desc.id, devs[i].desc.id, rate[0] / 1e6,
                    devs[j].desc.id, rate[1] / 1e6, devs[keep].desc.id);
    devs[drop].ops->close(devs[drop].dev);
    memmove(&devs[drop], &devs[drop + 1], (n - drop - 1) * sizeof devs[0]);
    n--;
    if (drop <= i)
      i--; /* what was after moved up: look at position i again (wraps back to 0 at 0) */
  }
  return n;
}
