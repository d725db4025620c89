/* vulkan_backend.c: every Vulkan physical device with a compute queue, through the loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "devices/device.h"
#include "devices/device_run.h"
#include "devices/vulkan/vulkan_backend.h"
#include "devices/vulkan/vulkan_device.h"
#include "devices/vulkan/vulkan_errors.h"
#include "devices/vulkan/vulkan_options.h"
#include "synth/error.h"

#define MAX_DEVICES 32
#define DEFAULT_WORK_GROUP 256
#define NVIDIA_WORK_GROUP 512
#define MAX_NONCES 64
#define CPU_NONCES 8
#define SELF_TEST_TIMEOUT_NS (120 * 1000000000ull)
#define VENDOR_NVIDIA 0x10de

struct vk_found {
  VkPhysicalDevice phys;
  VkPhysicalDeviceProperties props;
  uint32_t queue_family;
  uint32_t subgroup; /* 0 when the device does not say */
  VkDeviceSize local_memory;
  unsigned char uuid[VK_UUID_SIZE];
  bool has_uuid;
  char pci[16];
};

struct vk_backend {
  VkInstance instance;
  uint32_t api; /* the instance's version */
  struct vk_found found[MAX_DEVICES];
  size_t count;
  const struct synth__logger *log;
  unsigned work_group;
  unsigned nonces;
  int tuning;
  char cache_dir[512];
  unsigned alloc_fault_at; /* tests: see synth__vk_backend_test_hooks */
  bool force_staging;
};

/* A queue family that computes: one without graphics if there is one (a GPU's own compute
 * queue), else any. UINT32_MAX when none. */
static uint32_t compute_family(VkPhysicalDevice phys)
{
  VkQueueFamilyProperties families[16];
  uint32_t n = 16;
  vkGetPhysicalDeviceQueueFamilyProperties(phys, &n, families);
  uint32_t any = UINT32_MAX;
  for (uint32_t i = 0; i < n; i++) {
    VkQueueFlags f = families[i].queueFlags;
    if (!(f & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0)
      continue;
    if (!(f & VK_QUEUE_GRAPHICS_BIT))
      return i;
    if (any == UINT32_MAX)
      any = i;
  }
  return any;
}

static bool has_extension(VkPhysicalDevice phys, const char *name)
{
  uint32_t n = 0;
  if (vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL) != VK_SUCCESS || n == 0)
    return false;
  VkExtensionProperties *ext = calloc(n, sizeof *ext);
  bool found = false;
  if (ext && vkEnumerateDeviceExtensionProperties(phys, NULL, &n, ext) == VK_SUCCESS) {
    for (uint32_t i = 0; i < n && !found; i++)
      found = strcmp(ext[i].extensionName, name) == 0;
  }
  free(ext);
  return found;
}

/* Identity (UUID, PCI address), subgroup size and memory of one physical device. */
static void describe(const struct vk_backend *b, struct vk_found *f)
{
  vkGetPhysicalDeviceProperties(f->phys, &f->props);
  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(f->phys, &mem);
  for (uint32_t i = 0; i < mem.memoryHeapCount; i++) {
    if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      f->local_memory += mem.memoryHeaps[i].size;
  }
  if (b->api < VK_API_VERSION_1_1 || f->props.apiVersion < VK_API_VERSION_1_1)
    return; /* no properties2: no UUID to pair it by */
  VkPhysicalDevicePCIBusInfoPropertiesEXT pci = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT};
  VkPhysicalDeviceSubgroupProperties subgroup = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceIDProperties id = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES,
                                     .pNext = &subgroup};
  bool with_pci = has_extension(f->phys, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME);
  if (with_pci)
    subgroup.pNext = &pci;
  VkPhysicalDeviceProperties2 props2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                        .pNext = &id};
  vkGetPhysicalDeviceProperties2(f->phys, &props2);
  memcpy(f->uuid, id.deviceUUID, VK_UUID_SIZE);
  f->has_uuid = true;
  f->subgroup = subgroup.subgroupSize;
  if (with_pci)
    snprintf(f->pci, sizeof f->pci, "%04x:%02x:%02x.%x", pci.pciDomain & 0xffff, pci.pciBus & 0xff,
             pci.pciDevice & 0x1f, pci.pciFunction & 0x7);
}

static int vk_backend_create(const struct synth__probe_config *cfg, void **out)
{
  uint32_t api = VK_API_VERSION_1_0;
  if (vkEnumerateInstanceVersion(&api) != VK_SUCCESS)
    api = VK_API_VERSION_1_0;
  const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "synthminer",
      .pEngineName = "synth",
      .apiVersion = api >= VK_API_VERSION_1_1 ? VK_API_VERSION_1_1 : VK_API_VERSION_1_0,
  };
  /* Compute only: no surface, no window-system extension. */
  const VkInstanceCreateInfo info = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                     .pApplicationInfo = &app};
  VkInstance instance;
  VkResult r = vkCreateInstance(&info, NULL, &instance);
  if (r != VK_SUCCESS)
    return SYNTH_ENODEV; /* no driver installed: no Vulkan devices, not an error by itself */
  struct vk_backend *b = calloc(1, sizeof *b);
  if (!b) {
    vkDestroyInstance(instance, NULL);
    return SYNTH_ENOMEM;
  }
  b->instance = instance;
  b->api = app.apiVersion;
  b->log = cfg->log;
  const struct synth__option_value *wg = synth__option_given(cfg, SYNTH_VK_OPT_WORK_GROUP);
  const struct synth__option_value *nonces = synth__option_given(cfg, SYNTH_VK_OPT_NONCES);
  const struct synth__option_value *mad = synth__option_given(cfg, SYNTH_VK_OPT_MAD_ADDS);
  b->work_group = wg ? (unsigned)wg->number : 0;
  b->nonces = nonces ? (unsigned)nonces->number : 0;
  /* pick_tuning's convention: 0 the device's default, -1 none, N that level. */
  b->tuning = mad ? (mad->number ? (int)mad->number : -1) : 0;
  snprintf(b->cache_dir, sizeof b->cache_dir, "%s", cfg->cache_dir ? cfg->cache_dir : "");
  VkPhysicalDevice phys[MAX_DEVICES];
  uint32_t n = MAX_DEVICES;
  r = vkEnumeratePhysicalDevices(instance, &n, phys);
  if (r != VK_SUCCESS && r != VK_INCOMPLETE)
    n = 0;
  for (uint32_t i = 0; i < n; i++) {
    struct vk_found *f = &b->found[b->count];
    f->phys = phys[i];
    f->queue_family = compute_family(phys[i]);
    if (f->queue_family == UINT32_MAX)
      continue; /* graphics or video only: nothing to hash with */
    describe(b, f);
    b->count++;
  }
  *out = b;
  return 0;
}

static void vk_backend_destroy(void *backend)
{
  struct vk_backend *b = backend;
  if (!b)
    return;
  vkDestroyInstance(b->instance, NULL);
  free(b);
}

static const char *type_name(VkPhysicalDeviceType t)
{
  switch (t) {
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    return "integrated GPU";
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    return "discrete GPU";
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
    return "virtual GPU";
  case VK_PHYSICAL_DEVICE_TYPE_CPU:
    return "CPU";
  default:
    return "other";
  }
}

static int vk_probe(void *backend, const struct synth__probe_config *cfg,
                    struct synth__desc_list *out, char *topology, size_t topology_size)
{
  (void)cfg;
  struct vk_backend *b = backend;
  snprintf(topology, topology_size, "%zu device%s with a compute queue through the Vulkan loader",
           b->count, b->count == 1 ? "" : "s");
  for (size_t i = 0; i < b->count; i++) {
    const struct vk_found *f = &b->found[i];
    struct synth__device_desc *d = synth__desc_list_push(out);
    if (!d)
      return SYNTH_ENOMEM;
    bool cpu = f->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    synth__desc_set_gpu(d, "vulkan", SYNTH_DEVICE_VULKAN, i, f->props.deviceName, cpu, f->uuid,
                        f->has_uuid, f->pci);
    snprintf(d->detail, sizeof d->detail, "Vulkan %u.%u, %s, %llu MiB",
             VK_API_VERSION_MAJOR(f->props.apiVersion), VK_API_VERSION_MINOR(f->props.apiVersion),
             type_name(f->props.deviceType), (unsigned long long)(f->local_memory >> 20));
  }
  return 0;
}

/* Workgroup size: the asked one within the device's limits, else the vendor's measured best
 * (NVIDIA 512, docs/benchmarks.md) or 256, within the limit, rounded to the subgroup size. */
static int pick_work_group(struct vk_device *d, const struct vk_found *f, unsigned asked)
{
  uint32_t max = f->props.limits.maxComputeWorkGroupSize[0];
  if (f->props.limits.maxComputeWorkGroupInvocations < max)
    max = f->props.limits.maxComputeWorkGroupInvocations;
  if (asked) {
    if (asked > max) {
      synth__log_error(d->log, "%s: device option vulkan.work_group=%u is above its limit %u",
                       d->label, asked, max);
      return SYNTH_EINVAL;
    }
    d->work_group = asked;
    return 0;
  }
  uint32_t wg = f->props.vendorID == VENDOR_NVIDIA ? NVIDIA_WORK_GROUP : DEFAULT_WORK_GROUP;
  if (wg > max)
    wg = max;
  if (f->subgroup && wg >= f->subgroup)
    wg = wg / f->subgroup * f->subgroup;
  d->work_group = wg ? wg : 1;
  return 0;
}

/* The kernel's tuning constant: what the user asked, else what was measured best for the
 * vendor (docs/benchmarks.md: on NVIDIA every add as a multiply-add, level 7). */
static uint32_t pick_tuning(int asked, uint32_t vendor)
{
  if (asked > 0)
    return (uint32_t)asked;
  if (asked < 0)
    return 0;
  return vendor == VENDOR_NVIDIA ? 7 : 0;
}

static int create_device(struct vk_device *d, const struct vk_found *f)
{
  const float priority = 1.0f;
  const VkDeviceQueueCreateInfo queue = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = f->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
  };
  const VkDeviceCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &queue,
  };
  VkResult r = vkCreateDevice(f->phys, &info, NULL, &d->device);
  if (r != VK_SUCCESS) {
    d->device = VK_NULL_HANDLE;
    return synth__vk_created(r, d->log, d->label, "create a logical device");
  }
  vkGetDeviceQueue(d->device, f->queue_family, 0, &d->queue);
  return 0;
}

static void vk_close(void *dev);

static int vk_open(void *backend, const struct synth__device_desc *desc,
                   const struct synth_workload *workload, void **out)
{
  struct vk_backend *b = backend;
  if (!workload->vulkan)
    return SYNTH_ENOTSUP;
  if (desc->index0 < 0 || (size_t)desc->index0 >= b->count)
    return SYNTH_ENODEV;
  const struct vk_found *f = &b->found[desc->index0];
  struct vk_device *d = calloc(1, sizeof *d);
  if (!d)
    return SYNTH_ENOMEM;
  snprintf(d->label, sizeof d->label, "%s (%.60s)", desc->id, f->props.deviceName);
  d->phys = f->phys;
  d->props = f->props;
  d->queue_family = f->queue_family;
  d->log = b->log;
  d->payload_size = workload->payload_size;
  d->max_hits = SYNTH_BATCH_MAX_HITS;
  /* lavapipe runs invocations as SIMD lanes with a cost per invocation: 8 nonces each doubled
   * its rate (docs/benchmarks.md). A GPU takes 1. */
  bool cpu = f->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  d->nonces = b->nonces ? b->nonces : cpu ? CPU_NONCES : 1;
  d->tuning = pick_tuning(b->tuning, f->props.vendorID);
  d->alloc_fault_at = b->alloc_fault_at;
  vkGetPhysicalDeviceMemoryProperties(f->phys, &d->memory);
  /* Unified memory: the host reads hits where the kernel wrote them, no copy. */
  bool shared = cpu || f->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  d->unified = shared && !b->force_staging && synth__vk_has_unified_memory(&d->memory);
  int rc = 0;
  if (d->nonces > MAX_NONCES) {
    synth__log_error(d->log, "%s: %u nonces per invocation: at most %d", d->label, d->nonces,
                     MAX_NONCES);
    rc = SYNTH_EINVAL;
  }
  if (rc == 0)
    rc = pick_work_group(d, f, b->work_group);
  if (rc == 0)
    rc = create_device(d, f);
  if (rc == 0)
    rc = synth__vk_pipeline_create(d, workload->vulkan, b->cache_dir[0] ? b->cache_dir : NULL);
  if (rc == 0)
    rc = synth__vk_slots_create(d);
  if (rc != 0) {
    vk_close(d);
    return rc;
  }
  synth__log_info(b->log,
                  "%s: pipeline %s, workgroup %u, %u nonce%s per invocation, tuning %u, "
                  "results %s",
                  d->label, d->from_cache ? "from the cache" : "compiled", d->work_group, d->nonces,
                  d->nonces == 1 ? "" : "s", d->tuning,
                  d->unified ? "in unified memory" : "through a staging copy");
  *out = d;
  return 0;
}

extern const struct synth__device_ops synth__vulkan_device_ops;

static void vk_drain(void *dev)
{
  synth__vk_drain(dev);
}

/* The known answer through the same path as every batch. lavapipe compiles the shader on its
 * first dispatch: that gets time. */
static int vk_self_test(void *dev, const struct synth_workload *workload)
{
  struct vk_device *d = dev;
  return synth__device_known_answer(&synth__vulkan_device_ops, dev, workload, vk_drain, d->label,
                                    d->log, SELF_TEST_TIMEOUT_NS);
}

/* Workgroups spread over x and y (see vulkan_batches.c), each hashing wg x nonces. */
static uint64_t vk_max_batch(void *dev)
{
  struct vk_device *d = dev;
  const VkPhysicalDeviceLimits *l = &d->props.limits;
  double n = (double)l->maxComputeWorkGroupCount[0] * l->maxComputeWorkGroupCount[1] *
             (double)d->work_group * d->nonces;
  return n > 4294967295.0 ? 4294967295u : (uint64_t)n;
}

static void vk_engine(void *dev, char *buf, size_t size)
{
  struct vk_device *d = dev;
  snprintf(buf, size, "vulkan wg%u x%u t%u", d->work_group, d->nonces, d->tuning);
}

static void vk_close(void *dev)
{
  struct vk_device *d = dev;
  if (!d)
    return;
  if (d->device && !synth__vk_drain(d)) {
    /* Destroying what a running queue still uses is undefined: leave it to process exit. */
    synth__log_error(d->log, "%s: still busy after waiting; its resources are left as they are",
                     d->label);
    free(d);
    return;
  }
  if (d->device) {
    synth__vk_slots_destroy(d);
    synth__vk_pipeline_destroy(d);
    vkDestroyDevice(d->device, NULL);
  }
  free(d);
}

void synth__vk_backend_test_hooks(void *backend, unsigned alloc_fault_at, bool force_staging)
{
  struct vk_backend *b = backend;
  b->alloc_fault_at = alloc_fault_at;
  b->force_staging = force_staging;
}

const struct synth__device_ops synth__vulkan_device_ops = {
    .name = "vulkan",
    .kind = SYNTH_DEVICE_VULKAN,
    .max_inflight = SYNTH_VK_SLOTS,
    .default_latency_ms = 50.0,
    .options = synth__vulkan_options,
    .backend_create = vk_backend_create,
    .backend_destroy = vk_backend_destroy,
    .probe = vk_probe,
    .open = vk_open,
    .self_test = vk_self_test,
    .thread_init = NULL,
    .submit = synth__vk_submit,
    .poll = synth__vk_poll,
    .engine = vk_engine,
    .max_batch = vk_max_batch,
    .epoch_changed = synth__vk_epoch_changed,
    .close = vk_close,
};
