/* vulkan_options.c: the Vulkan backend's settings (specialization constants of its kernel),
 * checked by the generic parser; a workgroup above the device's limit is refused at open. */
#include "devices/vulkan/vulkan_options.h"

const struct synth__device_option synth__vulkan_options[] = {
    [SYNTH_VK_OPT_WORK_GROUP] = {"work_group", SYNTH_OPTION_UINT, 1, 65536, NULL,
                                 "NVIDIA 512, others 256",
                                 "workgroup size; above the device's limit is an error", NULL},
    [SYNTH_VK_OPT_NONCES] = {"nonces", SYNTH_OPTION_UINT, 1, 64, NULL, "GPU 1, CPU device 8",
                             "nonces per invocation", NULL},
    [SYNTH_VK_OPT_MAD_ADDS] = {"mad_adds", SYNTH_OPTION_UINT, 0, 7, NULL, "NVIDIA 7, others 0",
                               "how many of the kernel's adds run as multiply-adds (0: none)",
                               NULL},
    {NULL},
};
