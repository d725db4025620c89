/* vulkan_device.h: one opened Vulkan device and its batch slots (shared by the backend files). */
#ifndef SYNTH_DEVICES_VULKAN_DEVICE_H
#define SYNTH_DEVICES_VULKAN_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

#include "devices/batch.h"
#include "devices/device_fault.h"

struct synth__logger;
struct synth_vulkan_kernel;

/* Batches in flight per device: the next command buffer is queued before the current one ends, so
 * the device never waits for the host between batches. Two, not three: a third gained nothing
 * on an H200 (8055 MH/s either way) and made a clean job switch wait for one more 50 ms batch
 * (p50 100 ms against 38 ms). */
#define SYNTH_VK_SLOTS 2

/* The push constants every kernel takes. */
struct vk_launch {
  uint32_t nonce_base;
  uint32_t count;
  uint32_t max_hits;
  uint32_t epoch; /* the batch's: a launch finding the abort word past it hashes nothing */
};

/* A buffer and the memory bound to it; mapped when the memory is host-visible. */
struct vk_buffer {
  VkBuffer buffer;
  VkDeviceMemory memory;
  void *mapped;
  bool coherent;
};

/* One launch's buffers and command buffer, reused for every batch that goes through it. */
struct vk_slot {
  struct synth__batch *batch; /* NULL while free */
  struct vk_buffer payload;   /* device-local uniform buffer, filled by the command buffer */
  struct vk_buffer results;   /* [0] hit count, [1 + j] hit nonces */
  struct vk_buffer staging;   /* host-visible copy of results; unused on unified memory */
  VkDescriptorSet set;
  VkCommandBuffer cmd;
  VkFence fence;
  bool pending; /* submitted, and its fence not yet waited for and reset */
  uint64_t submit_ns;
};

struct vk_device {
  char label[96]; /* "vulkan:0 (NVIDIA H200)" for messages */
  VkPhysicalDevice phys;
  VkPhysicalDeviceProperties props;
  VkPhysicalDeviceMemoryProperties memory;
  VkDevice device;
  VkQueue queue;
  uint32_t queue_family;
  bool unified; /* results are read straight from host-visible device memory */

  VkDescriptorSetLayout set_layout;
  VkPipelineLayout pipeline_layout;
  VkPipeline pipeline;
  VkDescriptorPool descriptor_pool;
  VkCommandPool command_pool;
  uint32_t work_group; /* specialization constant 0 */
  uint32_t nonces;     /* specialization constant 1: nonces per invocation */
  uint32_t tuning;     /* specialization constant 2: the kernel's own knob */
  bool from_cache;     /* the pipeline cache came from disk */

  size_t payload_size;
  uint32_t max_hits;
  const struct synth__logger *log;

  /* Host-visible and coherent: the scheduler's epoch, raised from any thread by
   * epoch_changed and read by every workgroup as it starts (binding 2). */
  struct vk_buffer abort_word;
  struct vk_slot slots[SYNTH_VK_SLOTS];
  unsigned fifo[SYNTH_VK_SLOTS]; /* slot indexes in submit order */
  unsigned fifo_head, fifo_count;
  uint64_t last_done_ns;
  bool lost; /* the device failed: nothing more is submitted, polls hand batches back */

  struct synth__fault_plan faults;
  VkEvent hang;            /* what a hung batch waits on; set when the device drains */
  unsigned alloc_fault_at; /* tests: the n-th buffer allocation fails as out of memory */
  unsigned allocs;
};

/* vulkan_memory.c: a buffer of size bytes for usage, in memory with the wanted properties
 * (and, when possible, the preferred ones too). Returns 0, SYNTH_ENOMEM or SYNTH_EDEVICE. */
/* epoch_changed: raises the abort word to epoch (never lowers it). Any thread. */
void synth__vk_epoch_changed(void *dev, unsigned epoch);

int synth__vk_buffer_create(struct vk_device *d, VkDeviceSize size, VkBufferUsageFlags usage,
                            VkMemoryPropertyFlags wanted, VkMemoryPropertyFlags preferred,
                            struct vk_buffer *out);
void synth__vk_buffer_destroy(struct vk_device *d, struct vk_buffer *b);

/* Whether the device has memory that is both device-local and host-visible, as unified-memory
 * devices (integrated GPUs, CPU devices) do. */
bool synth__vk_has_unified_memory(const VkPhysicalDeviceMemoryProperties *memory);

/* vulkan_pipeline.c: the layouts and the compute pipeline, through a pipeline cache kept in
 * cache_dir (NULL: none). Returns 0 or SYNTH_E*. */
int synth__vk_pipeline_create(struct vk_device *d, const struct synth_vulkan_kernel *kernel,
                              const char *cache_dir);
void synth__vk_pipeline_destroy(struct vk_device *d);

/* vulkan_batches.c: the slots' buffers, descriptor sets, command buffers and fences. Returns 0
 * or SYNTH_E*. */
int synth__vk_slots_create(struct vk_device *d);
void synth__vk_slots_destroy(struct vk_device *d);

/* Records and submits a batch (as the device ops' submit). Returns 0, SYNTH_ESTATE (every
 * slot busy) or SYNTH_EDEVICE. */
int synth__vk_submit(void *dev, struct synth__batch *batch);

/* Returns the oldest batch once its fence signals (as the device ops' poll). */
int synth__vk_poll(void *dev, struct synth__batch **done, int timeout_ms);

/* Waits, within a bound, until nothing is in flight; returns whether the queue is idle. */
bool synth__vk_drain(struct vk_device *d);

/* Test hook: arm a fault on the device (see devices/device_fault.h). */
void synth__vk_inject_fault(void *dev, enum synth__device_fault fault, unsigned at);

#endif
