/* vulkan_backend.h: the Vulkan backend's test hooks (its ops are in the backend registry). */
#ifndef SYNTH_DEVICES_VULKAN_BACKEND_H
#define SYNTH_DEVICES_VULKAN_BACKEND_H

#include <stdbool.h>

/* Tests only, before a device is opened: make the n-th buffer allocation of each later open
 * fail as out of device memory (0: none), and read results through a staging copy even on a
 * unified-memory device, so both paths run on lavapipe. */
void synth__vk_backend_test_hooks(void *backend, unsigned alloc_fault_at, bool force_staging);

#endif
