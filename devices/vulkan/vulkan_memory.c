/* vulkan_memory.c: buffers in the memory type their use wants. */
#include <string.h>

#include "devices/vulkan/vulkan_device.h"
#include "devices/vulkan/vulkan_errors.h"
#include "base/logger.h"
#include "synth/error.h"

/* The first memory type allowed by bits with every wanted property, one with the preferred
 * ones too if there is such; UINT32_MAX when none. */
static uint32_t pick_type(const VkPhysicalDeviceMemoryProperties *mem, uint32_t bits,
                          VkMemoryPropertyFlags wanted, VkMemoryPropertyFlags preferred)
{
  uint32_t fallback = UINT32_MAX;
  for (uint32_t i = 0; i < mem->memoryTypeCount; i++) {
    VkMemoryPropertyFlags f = mem->memoryTypes[i].propertyFlags;
    if (!(bits & (1u << i)) || (f & wanted) != wanted)
      continue;
    if ((f & preferred) == preferred)
      return i;
    if (fallback == UINT32_MAX)
      fallback = i;
  }
  return fallback;
}

bool synth__vk_has_unified_memory(const VkPhysicalDeviceMemoryProperties *mem)
{
  const VkMemoryPropertyFlags both =
      VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  for (uint32_t i = 0; i < mem->memoryTypeCount; i++) {
    if ((mem->memoryTypes[i].propertyFlags & both) == both)
      return true;
  }
  return false;
}

int synth__vk_buffer_create(struct vk_device *d, VkDeviceSize size, VkBufferUsageFlags usage,
                            VkMemoryPropertyFlags wanted, VkMemoryPropertyFlags preferred,
                            struct vk_buffer *out)
{
  memset(out, 0, sizeof *out);
  const VkBufferCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = usage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
  };
  VkResult r = vkCreateBuffer(d->device, &info, NULL, &out->buffer);
  VkMemoryRequirements req = {0};
  uint32_t type = UINT32_MAX;
  if (r == VK_SUCCESS) {
    vkGetBufferMemoryRequirements(d->device, out->buffer, &req);
    type = pick_type(&d->memory, req.memoryTypeBits, wanted, preferred);
    if (type == UINT32_MAX)
      r = VK_ERROR_OUT_OF_DEVICE_MEMORY; /* no memory of that kind at all */
  }
  if (r == VK_SUCCESS && d->alloc_fault_at && ++d->allocs == d->alloc_fault_at)
    r = VK_ERROR_OUT_OF_DEVICE_MEMORY; /* injected */
  if (r == VK_SUCCESS) {
    const VkMemoryAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = type,
    };
    r = vkAllocateMemory(d->device, &alloc, NULL, &out->memory);
  }
  if (r == VK_SUCCESS)
    r = vkBindBufferMemory(d->device, out->buffer, out->memory, 0);
  VkMemoryPropertyFlags flags = type == UINT32_MAX ? 0 : d->memory.memoryTypes[type].propertyFlags;
  if (r == VK_SUCCESS && (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
    r = vkMapMemory(d->device, out->memory, 0, VK_WHOLE_SIZE, 0, &out->mapped);
  if (r != VK_SUCCESS) {
    synth__log_error(d->log, "%s: cannot allocate a buffer of %llu bytes: %s", d->label,
                     (unsigned long long)size, synth__vk_result_name(r));
    synth__vk_buffer_destroy(d, out);
    return synth__vk_to_synth(r);
  }
  out->coherent = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  return 0;
}

void synth__vk_buffer_destroy(struct vk_device *d, struct vk_buffer *b)
{
  if (b->buffer)
    vkDestroyBuffer(d->device, b->buffer, NULL);
  if (b->memory)
    vkFreeMemory(d->device, b->memory, NULL); /* unmaps too */
  memset(b, 0, sizeof *b);
}
