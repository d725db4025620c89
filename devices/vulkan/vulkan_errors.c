/* vulkan_errors.c: VkResult values as names, for messages. */
#include "devices/vulkan/vulkan_errors.h"

#include <stdio.h>

#include "base/logger.h"
#include "synth/error.h"

#define VK_RESULTS(XX)                                                                             \
  XX(VK_SUCCESS)                                                                                   \
  XX(VK_NOT_READY)                                                                                 \
  XX(VK_TIMEOUT)                                                                                   \
  XX(VK_EVENT_SET)                                                                                 \
  XX(VK_EVENT_RESET)                                                                               \
  XX(VK_INCOMPLETE)                                                                                \
  XX(VK_ERROR_OUT_OF_HOST_MEMORY)                                                                  \
  XX(VK_ERROR_OUT_OF_DEVICE_MEMORY)                                                                \
  XX(VK_ERROR_INITIALIZATION_FAILED)                                                               \
  XX(VK_ERROR_DEVICE_LOST)                                                                         \
  XX(VK_ERROR_MEMORY_MAP_FAILED)                                                                   \
  XX(VK_ERROR_LAYER_NOT_PRESENT)                                                                   \
  XX(VK_ERROR_EXTENSION_NOT_PRESENT)                                                               \
  XX(VK_ERROR_FEATURE_NOT_PRESENT)                                                                 \
  XX(VK_ERROR_INCOMPATIBLE_DRIVER)                                                                 \
  XX(VK_ERROR_TOO_MANY_OBJECTS)                                                                    \
  XX(VK_ERROR_FORMAT_NOT_SUPPORTED)                                                                \
  XX(VK_ERROR_FRAGMENTED_POOL)                                                                     \
  XX(VK_ERROR_UNKNOWN)                                                                             \
  XX(VK_ERROR_OUT_OF_POOL_MEMORY)                                                                  \
  XX(VK_ERROR_INVALID_EXTERNAL_HANDLE)                                                             \
  XX(VK_ERROR_FRAGMENTATION)                                                                       \
  XX(VK_ERROR_INVALID_SHADER_NV)                                                                   \
  XX(VK_PIPELINE_COMPILE_REQUIRED)

const char *synth__vk_result_name(VkResult r)
{
  switch (r) {
#define SYNTH__VK_CASE(name)                                                                       \
  case name:                                                                                       \
    return #name;
    VK_RESULTS(SYNTH__VK_CASE)
#undef SYNTH__VK_CASE
  default:
    break;
  }
  static _Thread_local char buf[32];
  snprintf(buf, sizeof buf, "VkResult %d", (int)r);
  return buf;
}

int synth__vk_to_synth(VkResult r)
{
  if (r == VK_ERROR_OUT_OF_HOST_MEMORY || r == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
      r == VK_ERROR_OUT_OF_POOL_MEMORY || r == VK_ERROR_FRAGMENTED_POOL)
    return SYNTH_ENOMEM;
  return SYNTH_EDEVICE;
}

int synth__vk_created(VkResult r, const struct synth__logger *log, const char *label,
                      const char *what)
{
  if (r == VK_SUCCESS)
    return 0;
  synth__log_error(log, "%s: cannot %s: %s", label, what, synth__vk_result_name(r));
  return synth__vk_to_synth(r);
}
