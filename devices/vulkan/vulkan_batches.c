/* vulkan_batches.c: batches recorded into a device's slots, submitted with a fence each and
 * collected in order. */
#include <string.h>

#include "base/clock.h"
#include "base/logger.h"
#include "devices/device_run.h"
#include "devices/vulkan/vulkan_device.h"
#include "devices/vulkan/vulkan_errors.h"
#include "synth/error.h"

/* How long close and drain wait for the queue before giving up on it. */
#define DRAIN_TIMEOUT_NS (10 * 1000000000ull)

static size_t results_size(const struct vk_device *d)
{
  return (1 + (size_t)d->max_hits) * sizeof(uint32_t);
}

static int pools(struct vk_device *d)
{
  const VkDescriptorPoolSize sizes[2] = {
      {.type = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, .descriptorCount = SYNTH_VK_SLOTS},
      {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = 2 * SYNTH_VK_SLOTS},
  };
  const VkDescriptorPoolCreateInfo pool_info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = SYNTH_VK_SLOTS,
      .poolSizeCount = 2,
      .pPoolSizes = sizes,
  };
  VkResult r = vkCreateDescriptorPool(d->device, &pool_info, NULL, &d->descriptor_pool);
  if (r == VK_SUCCESS) {
    const VkCommandPoolCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = d->queue_family,
    };
    r = vkCreateCommandPool(d->device, &info, NULL, &d->command_pool);
  }
  return synth__vk_created(r, d->log, d->label, "create its pools");
}

/* A slot's buffers: results straight in host-visible device memory on a unified-memory
 * device, else device-local with a host-visible staging copy. */
static int slot_buffers(struct vk_device *d, struct vk_slot *s)
{
  const VkMemoryPropertyFlags local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  const VkMemoryPropertyFlags readback =
      VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  int rc = synth__vk_buffer_create(
      d, d->payload_size, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
      local, 0, &s->payload);
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                   VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                   VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  if (rc == 0 && d->unified)
    rc = synth__vk_buffer_create(d, results_size(d), usage, local | host, readback, &s->results);
  if (rc == 0 && !d->unified)
    rc = synth__vk_buffer_create(d, results_size(d), usage, local, 0, &s->results);
  if (rc == 0 && !d->unified)
    rc = synth__vk_buffer_create(d, results_size(d), VK_BUFFER_USAGE_TRANSFER_DST_BIT, host,
                                 readback, &s->staging);
  return rc;
}

/* One buffer bound at @binding of @set: the slot's three bindings differ only in these. */
static VkWriteDescriptorSet buffer_write(VkDescriptorSet set, uint32_t binding,
                                         VkDescriptorType type, const VkDescriptorBufferInfo *info)
{
  return (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                .dstSet = set,
                                .dstBinding = binding,
                                .descriptorCount = 1,
                                .descriptorType = type,
                                .pBufferInfo = info};
}

static int slot_commands(struct vk_device *d, struct vk_slot *s)
{
  const VkDescriptorSetAllocateInfo set_info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = d->descriptor_pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &d->set_layout,
  };
  VkResult r = vkAllocateDescriptorSets(d->device, &set_info, &s->set);
  if (r == VK_SUCCESS) {
    const VkDescriptorBufferInfo payload = {s->payload.buffer, 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo results = {s->results.buffer, 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo abort_word = {d->abort_word.buffer, 0, VK_WHOLE_SIZE};
    const VkWriteDescriptorSet writes[3] = {
        buffer_write(s->set, 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, &payload),
        buffer_write(s->set, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &results),
        buffer_write(s->set, 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &abort_word),
    };
    vkUpdateDescriptorSets(d->device, 3, writes, 0, NULL);
    const VkCommandBufferAllocateInfo cmd_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = d->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    r = vkAllocateCommandBuffers(d->device, &cmd_info, &s->cmd);
  }
  if (r == VK_SUCCESS) {
    const VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    r = vkCreateFence(d->device, &fence_info, NULL, &s->fence);
  }
  return synth__vk_created(r, d->log, d->label, "create its command buffers");
}

int synth__vk_slots_create(struct vk_device *d)
{
  int rc = pools(d);
  /* Memory the host writes at any time and the GPU reads as it goes: device-local where the
   * host can map it (the GPU then reads its own memory, not the host's across the bus). */
  if (rc == 0)
    rc = synth__vk_buffer_create(d, sizeof(uint32_t), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                 VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, &d->abort_word);
  if (rc == 0)
    __atomic_store_n((uint32_t *)d->abort_word.mapped, 0u, __ATOMIC_RELEASE);
  for (unsigned i = 0; rc == 0 && i < SYNTH_VK_SLOTS; i++) {
    rc = slot_buffers(d, &d->slots[i]);
    if (rc == 0)
      rc = slot_commands(d, &d->slots[i]);
  }
  return rc;
}

void synth__vk_slots_destroy(struct vk_device *d)
{
  for (unsigned i = 0; i < SYNTH_VK_SLOTS; i++) {
    struct vk_slot *s = &d->slots[i];
    if (s->fence)
      vkDestroyFence(d->device, s->fence, NULL);
    synth__vk_buffer_destroy(d, &s->payload);
    synth__vk_buffer_destroy(d, &s->results);
    synth__vk_buffer_destroy(d, &s->staging);
    memset(s, 0, sizeof *s);
  }
  synth__vk_buffer_destroy(d, &d->abort_word);
  if (d->hang)
    vkDestroyEvent(d->device, d->hang, NULL);
  d->hang = VK_NULL_HANDLE;
  /* Destroying the pools frees their sets and command buffers. */
  if (d->command_pool)
    vkDestroyCommandPool(d->device, d->command_pool, NULL);
  if (d->descriptor_pool)
    vkDestroyDescriptorPool(d->device, d->descriptor_pool, NULL);
  d->command_pool = VK_NULL_HANDLE;
  d->descriptor_pool = VK_NULL_HANDLE;
}

static void barrier(VkCommandBuffer cmd, VkPipelineStageFlags from, VkAccessFlags written,
                    VkPipelineStageFlags to, VkAccessFlags read)
{
  const VkMemoryBarrier b = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = written, .dstAccessMask = read};
  vkCmdPipelineBarrier(cmd, from, to, 0, 1, &b, 0, NULL, 0, NULL);
}

/* Workgroups for count nonces, spread over y when x cannot hold them all. Returns false when
 * even that is not enough. */
static bool dispatch_size(const struct vk_device *d, uint32_t count, uint32_t *x, uint32_t *y)
{
  uint64_t items = ((uint64_t)count + d->nonces - 1) / d->nonces;
  uint64_t groups = (items + d->work_group - 1) / d->work_group;
  uint64_t max_x = d->props.limits.maxComputeWorkGroupCount[0];
  uint64_t gx = groups < max_x ? groups : max_x;
  uint64_t gy = gx ? (groups + gx - 1) / gx : 0;
  *x = (uint32_t)gx;
  *y = (uint32_t)gy;
  return gy <= d->props.limits.maxComputeWorkGroupCount[1];
}

/* Payload upload, counter reset, the kernel, and the results made visible to the host. With a
 * hang armed, everything first waits for an event only draining sets. */
static VkResult record(struct vk_device *d, struct vk_slot *s, const struct synth__batch *b,
                       bool hang)
{
  uint32_t gx, gy;
  if (!dispatch_size(d, b->range.count, &gx, &gy))
    return VK_ERROR_FEATURE_NOT_PRESENT;
  const VkCommandBufferBeginInfo begin = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };
  VkResult r = vkResetCommandBuffer(s->cmd, 0);
  if (r == VK_SUCCESS)
    r = vkBeginCommandBuffer(s->cmd, &begin);
  if (r != VK_SUCCESS)
    return r;
  VkCommandBuffer cmd = s->cmd;
  if (hang)
    vkCmdWaitEvents(cmd, 1, &d->hang, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                    NULL, 0, NULL, 0, NULL);
  vkCmdUpdateBuffer(cmd, s->payload.buffer, 0, d->payload_size, b->payload);
  vkCmdFillBuffer(cmd, s->results.buffer, 0, sizeof(uint32_t), 0);
  barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
          VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
          VK_ACCESS_UNIFORM_READ_BIT | VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  const struct vk_launch launch = {b->range.nonce_start, b->range.count, d->max_hits, b->ctl.epoch};
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, d->pipeline);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, d->pipeline_layout, 0, 1, &s->set, 0,
                          NULL);
  vkCmdPushConstants(cmd, d->pipeline_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof launch,
                     &launch);
  if (gx > 0)
    vkCmdDispatch(cmd, gx, gy, 1);
  if (d->unified) {
    barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
            VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  } else {
    barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
            VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    const VkBufferCopy copy = {.size = results_size(d)};
    vkCmdCopyBuffer(cmd, s->results.buffer, s->staging.buffer, 1, &copy);
    barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
            VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  }
  return vkEndCommandBuffer(cmd);
}

static struct vk_slot *free_slot(struct vk_device *d)
{
  for (unsigned i = 0; i < SYNTH_VK_SLOTS; i++) {
    if (!d->slots[i].batch)
      return &d->slots[i];
  }
  return NULL;
}

int synth__vk_submit(void *dev, struct synth__batch *b)
{
  struct vk_device *d = dev;
  if (d->lost)
    return SYNTH_EDEVICE;
  struct vk_slot *s = free_slot(d);
  if (!s)
    return SYNTH_ESTATE;
  enum synth__device_fault fault = synth__fault_submit(&d->faults, d->log, d->label);
  if (fault == SYNTH_FAULT_SUBMIT)
    return SYNTH_EDEVICE;
  VkResult r = VK_SUCCESS;
  bool hang = fault == SYNTH_FAULT_HANG;
  if (hang && !d->hang) {
    const VkEventCreateInfo info = {.sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
    r = vkCreateEvent(d->device, &info, NULL, &d->hang);
  }
  if (r == VK_SUCCESS)
    r = record(d, s, b, hang);
  if (r == VK_SUCCESS) {
    const VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                                 .commandBufferCount = 1,
                                 .pCommandBuffers = &s->cmd};
    r = vkQueueSubmit(d->queue, 1, &submit, s->fence);
  }
  if (r != VK_SUCCESS) {
    synth__log_error(d->log, "%s: submit failed: %s", d->label, synth__vk_result_name(r));
    d->lost |= r == VK_ERROR_DEVICE_LOST;
    return r == VK_ERROR_FEATURE_NOT_PRESENT ? SYNTH_ERANGE : SYNTH_EDEVICE;
  }
  s->batch = b;
  s->pending = true;
  s->submit_ns = b->t_submit_ns ? b->t_submit_ns : synth__now_ns();
  d->fifo[(d->fifo_head + d->fifo_count++) % SYNTH_VK_SLOTS] = (unsigned)(s - d->slots);
  return 0;
}

void synth__vk_epoch_changed(void *dev, unsigned epoch)
{
  struct vk_device *d = dev;
  uint32_t *word = d->abort_word.mapped;
  if (!word)
    return;
  synth__abort_word_raise(word, epoch);
}

/* The hits the kernel left in the slot's results; false when the launch was abandoned. */
static bool take_results(struct vk_device *d, struct vk_slot *s, struct synth__batch *b)
{
  struct vk_buffer *from = d->unified ? &s->results : &s->staging;
  if (!from->coherent) {
    const VkMappedMemoryRange range = {.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
                                       .memory = from->memory,
                                       .size = VK_WHOLE_SIZE};
    vkInvalidateMappedMemoryRanges(d->device, 1, &range);
  }
  return synth__device_take_hits(b, from->mapped, d->max_hits);
}

int synth__vk_poll(void *dev, struct synth__batch **done, int timeout_ms)
{
  struct vk_device *d = dev;
  *done = NULL;
  if (d->fifo_count == 0)
    return SYNTH_EAGAIN;
  struct vk_slot *s = &d->slots[d->fifo[d->fifo_head]];
  VkResult r = VK_ERROR_DEVICE_LOST;
  if (!d->lost) {
    uint64_t timeout_ns = timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0;
    r = vkWaitForFences(d->device, 1, &s->fence, VK_TRUE, timeout_ns);
    if (r == VK_TIMEOUT)
      return SYNTH_EAGAIN;
    if (r == VK_SUCCESS)
      r = vkResetFences(d->device, 1, &s->fence);
    s->pending = r != VK_SUCCESS; /* a failed wait: drain tries again before anything goes */
  }
  d->fifo_head = (d->fifo_head + 1) % SYNTH_VK_SLOTS;
  d->fifo_count--;
  struct synth__batch *b = s->batch;
  s->batch = NULL;
  synth__batch_stamp_done(b, s->submit_ns, &d->last_done_ns);
  *done = b;
  if (synth__fault_poll(&d->faults) && r == VK_SUCCESS)
    r = VK_ERROR_DEVICE_LOST; /* injected */
  if (r != VK_SUCCESS) {
    if (!d->lost)
      synth__log_error(d->log, "%s: batch failed on the device: %s", d->label,
                       synth__vk_result_name(r));
    d->lost = true;
    b->done = 0;
    b->status = SYNTH_EDEVICE;
    return SYNTH_EDEVICE;
  }
  /* A dispatch runs whole unless its epoch passed, and then none of it counts. */
  b->done = take_results(d, s, b) ? b->range.count : 0;
  return 0;
}

bool synth__vk_drain(struct vk_device *d)
{
  if (d->hang) /* let the hung batch through, so the queue can finish */
    vkSetEvent(d->device, d->hang);
  /* Every submitted command buffer, including those a failure handed back unwaited: a device
   * that is really lost answers at once, one that only reported a failure finishes first. */
  bool idle = true;
  for (unsigned i = 0; i < SYNTH_VK_SLOTS; i++) {
    struct vk_slot *s = &d->slots[i];
    if (s->pending) {
      VkResult r = vkWaitForFences(d->device, 1, &s->fence, VK_TRUE, DRAIN_TIMEOUT_NS);
      if (r == VK_TIMEOUT)
        idle = false;
      else
        s->pending = false;
      if (r == VK_SUCCESS)
        vkResetFences(d->device, 1, &s->fence);
    }
    s->batch = NULL;
  }
  d->fifo_count = 0;
  return idle;
}

void synth__vk_inject_fault(void *dev, enum synth__device_fault fault, unsigned at)
{
  struct vk_device *d = dev;
  synth__fault_arm(&d->faults, fault, at);
}
