/* vulkan_errors.h: VkResult values as names, for messages. */
#ifndef SYNTH_DEVICES_VULKAN_ERRORS_H
#define SYNTH_DEVICES_VULKAN_ERRORS_H

#include <vulkan/vulkan.h>

/* "VK_ERROR_DEVICE_LOST"; "VkResult <n>" for a value it does not know (static buffer per
 * thread). */
const char *synth__vk_result_name(VkResult r);

/* The synth error a failed Vulkan call means: SYNTH_ENOMEM for the out-of-memory results,
 * SYNTH_EDEVICE otherwise. */
int synth__vk_to_synth(VkResult r);

#endif
