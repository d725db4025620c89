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

struct synth__logger;

/* The end of a step that creates something: 0 for VK_SUCCESS; otherwise logs "LABEL: cannot
 * WHAT: RESULT" and returns synth__vk_to_synth(r). */
int synth__vk_created(VkResult r, const struct synth__logger *log, const char *label,
                      const char *what);

#endif
