/* vulkan_pipeline.c: the kernel's compute pipeline, specialized per device, through a pipeline
 * cache kept on disk. */
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "devices/cache_file.h"
#include "devices/scan_ctl.h"
#include "devices/vulkan/vulkan_device.h"
#include "devices/vulkan/vulkan_errors.h"
#include "precompute/sha256.h"
#include "synth/error.h"

static int layouts(struct vk_device *d)
{
  const VkDescriptorSetLayoutBinding bindings[3] = {
      {.binding = 0,
       .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
       .descriptorCount = 1,
       .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
      {.binding = 1,
       .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
       .descriptorCount = 1,
       .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
      {.binding = 2,
       .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
       .descriptorCount = 1,
       .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
  };
  const VkDescriptorSetLayoutCreateInfo set_info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 3,
      .pBindings = bindings,
  };
  const VkPushConstantRange push = {
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = sizeof(struct vk_launch)};
  VkResult r = vkCreateDescriptorSetLayout(d->device, &set_info, NULL, &d->set_layout);
  if (r == VK_SUCCESS) {
    const VkPipelineLayoutCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &d->set_layout,
        .pushConstantRangeCount = 1,
        .pPushConstantRanges = &push,
    };
    r = vkCreatePipelineLayout(d->device, &info, NULL, &d->pipeline_layout);
  }
  return synth__vk_created(r, d->log, d->label, "create the pipeline layout");
}

/* The cache file's key: the driver's own cache identity, the SPIR-V and the specialization. */
static void cache_key(const struct vk_device *d, const struct synth_vulkan_kernel *k,
                      const uint32_t spec[3], uint8_t key[32])
{
  struct synth__sha256 h;
  synth__sha256_init(&h);
  synth__sha256_update(&h, d->props.pipelineCacheUUID, VK_UUID_SIZE);
  synth__sha256_update(&h, &d->props.vendorID, sizeof d->props.vendorID);
  synth__sha256_update(&h, &d->props.deviceID, sizeof d->props.deviceID);
  synth__sha256_update(&h, &d->props.driverVersion, sizeof d->props.driverVersion);
  synth__sha256_update(&h, k->spirv, k->spirv_size);
  synth__sha256_update(&h, spec, 3 * sizeof spec[0]);
  synth__sha256_final(&h, key);
}

/* Whether data starts with the header this driver writes (VkPipelineCacheHeaderVersionOne):
 * anything else (another driver, a damaged file) is not handed to the driver at all. */
static bool cache_matches(const struct vk_device *d, const uint8_t *data, size_t size)
{
  uint32_t header[4];
  if (size < 16 + VK_UUID_SIZE)
    return false;
  memcpy(header, data, sizeof header);
  return header[0] >= 16 + VK_UUID_SIZE && header[0] <= size &&
         header[1] == VK_PIPELINE_CACHE_HEADER_VERSION_ONE && header[2] == d->props.vendorID &&
         header[3] == d->props.deviceID &&
         memcmp(data + 16, d->props.pipelineCacheUUID, VK_UUID_SIZE) == 0;
}

/* Writes what the driver put in the cache, for the next start. */
static void store_cache(struct vk_device *d, VkPipelineCache cache, const char *path)
{
  size_t size = 0;
  void *data = NULL;
  VkResult r = vkGetPipelineCacheData(d->device, cache, &size, NULL);
  if (r == VK_SUCCESS && size > 0 && (data = malloc(size)))
    r = vkGetPipelineCacheData(d->device, cache, &size, data);
  if (!data || r != VK_SUCCESS || synth__cache_write(path, data, size) != 0)
    synth__log_warn(d->log, "%s: cannot keep the pipeline cache as %s", d->label, path);
  free(data);
}

int synth__vk_pipeline_create(struct vk_device *d, const struct synth_vulkan_kernel *kernel,
                              const char *cache_dir)
{
  int rc = layouts(d);
  if (rc != 0)
    return rc;
  const uint32_t spec[3] = {d->work_group, d->nonces, d->tuning};
  char path[1200] = {0};
  uint8_t *initial = NULL;
  size_t initial_size = 0;
  d->from_cache = false;
  if (cache_dir && *cache_dir) {
    uint8_t key[32];
    cache_key(d, kernel, spec, key);
    synth__cache_path(cache_dir, "vulkan", key, path, sizeof path);
    initial = synth__cache_read(path, &initial_size);
    if (initial && !cache_matches(d, initial, initial_size)) {
      synth__log_warn(d->log, "%s: pipeline cache %s unusable; compiling again", d->label, path);
      free(initial);
      initial = NULL;
      initial_size = 0;
    }
    d->from_cache = initial != NULL;
  }
  VkPipelineCache cache = VK_NULL_HANDLE;
  const VkPipelineCacheCreateInfo cache_info = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
      .initialDataSize = initial_size,
      .pInitialData = initial,
  };
  VkResult r = vkCreatePipelineCache(d->device, &cache_info, NULL, &cache);
  free(initial);
  const VkShaderModuleCreateInfo module_info = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = kernel->spirv_size,
      .pCode = kernel->spirv,
  };
  VkShaderModule module = VK_NULL_HANDLE;
  if (r == VK_SUCCESS)
    r = vkCreateShaderModule(d->device, &module_info, NULL, &module);
  const VkSpecializationMapEntry entries[3] = {
      {.constantID = 0, .offset = 0, .size = 4},
      {.constantID = 1, .offset = 4, .size = 4},
      {.constantID = 2, .offset = 8, .size = 4},
  };
  const VkSpecializationInfo specialization = {
      .mapEntryCount = 3, .pMapEntries = entries, .dataSize = sizeof spec, .pData = spec};
  const VkComputePipelineCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage =
          {
              .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
              .stage = VK_SHADER_STAGE_COMPUTE_BIT,
              .module = module,
              .pName = kernel->entry,
              .pSpecializationInfo = &specialization,
          },
      .layout = d->pipeline_layout,
  };
  if (r == VK_SUCCESS)
    r = vkCreateComputePipelines(d->device, cache, 1, &info, NULL, &d->pipeline);
  if (r == VK_SUCCESS && path[0])
    store_cache(d, cache, path);
  if (module)
    vkDestroyShaderModule(d->device, module, NULL);
  if (cache)
    vkDestroyPipelineCache(d->device, cache, NULL);
  if (r != VK_SUCCESS)
    d->pipeline = VK_NULL_HANDLE;
  return synth__vk_created(r, d->log, d->label, "build the compute pipeline");
}

void synth__vk_pipeline_destroy(struct vk_device *d)
{
  if (d->pipeline)
    vkDestroyPipeline(d->device, d->pipeline, NULL);
  if (d->pipeline_layout)
    vkDestroyPipelineLayout(d->device, d->pipeline_layout, NULL);
  if (d->set_layout)
    vkDestroyDescriptorSetLayout(d->device, d->set_layout, NULL);
  d->pipeline = VK_NULL_HANDLE;
  d->pipeline_layout = VK_NULL_HANDLE;
  d->set_layout = VK_NULL_HANDLE;
}
