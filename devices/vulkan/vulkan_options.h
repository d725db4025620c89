/* vulkan_options.h: the Vulkan backend's settings ("vulkan.nonces=4"), indexes into its table. */
#ifndef SYNTH_DEVICES_VULKAN_OPTIONS_H
#define SYNTH_DEVICES_VULKAN_OPTIONS_H

#include "devices/device.h"

enum synth__vk_option {
  SYNTH_VK_OPT_WORK_GROUP,
  SYNTH_VK_OPT_NONCES,
  SYNTH_VK_OPT_MAD_ADDS,
};

extern const struct synth__device_option synth__vulkan_options[];

#endif
