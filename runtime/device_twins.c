/* device_twins.c: one physical GPU seen through both OpenCL and Vulkan, driven through one. */
#include "runtime/device_twins.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "runtime/logger.h"
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
    synth__log_error(log, "--prefer '%s': use auto, opencl or vulkan", text);
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
