/* opencl_backend.c: every OpenCL device of the machine, through the ICD loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CL/cl_ext.h>

#include "base/clock.h"
#include "base/logger.h"
#include "devices/device.h"
#include "devices/device_run.h"
#include "devices/opencl/opencl_device.h"
#include "devices/opencl/opencl_errors.h"
#include "devices/opencl/opencl_options.h"
#include "devices/opencl/opencl_program.h"
#include "synth/error.h"

#define MAX_DEVICES 64
#define DEFAULT_WORK_GROUP 256
#define SELF_TEST_TIMEOUT_NS (120 * 1000000000ull)

struct cl_found {
  cl_platform_id platform;
  cl_device_id id;
  cl_device_type type;
  char platform_name[96];
  char name[128];
  char driver[64];
  cl_uint units;
  cl_ulong memory;
  unsigned char uuid[CL_UUID_SIZE_KHR];
  bool has_uuid;
  char pci[16];
};

struct cl_backend {
  struct cl_found found[MAX_DEVICES];
  size_t count;
  const struct synth__logger *log;
  unsigned work_group;
  unsigned lanes;
  char build_options[256];
  char cache_dir[512];
};

/* Copies a device or platform string, trimming the padding some drivers leave. */
static void info_string(char *dst, size_t size, const char *src)
{
  while (*src == ' ')
    src++;
  snprintf(dst, size, "%s", src);
  for (size_t n = strlen(dst); n > 0 && dst[n - 1] == ' '; n--)
    dst[n - 1] = '\0';
}

/* NVIDIA's PCI location queries (cl_nv_device_attribute_query), missing from the headers. */
#define SYNTH_CL_DEVICE_PCI_BUS_ID_NV 0x4008
#define SYNTH_CL_DEVICE_PCI_SLOT_ID_NV 0x4009
#define SYNTH_CL_DEVICE_PCI_DOMAIN_ID_NV 0x400A

static bool has_extension(cl_device_id id, const char *name)
{
  size_t size = 0;
  if (clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, 0, NULL, &size) != CL_SUCCESS || size == 0)
    return false;
  char *ext = calloc(1, size + 1);
  bool found = false;
  if (ext && clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, size, ext, NULL) == CL_SUCCESS) {
    size_t len = strlen(name);
    for (const char *p = strstr(ext, name); p && !found; p = strstr(p + 1, name))
      found = (p == ext || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0');
  }
  free(ext);
  return found;
}

/* Which physical device it is: its UUID, and its PCI address where the driver tells. */
static void identify(struct cl_found *f)
{
  if (has_extension(f->id, "cl_khr_device_uuid"))
    f->has_uuid =
        clGetDeviceInfo(f->id, CL_DEVICE_UUID_KHR, sizeof f->uuid, f->uuid, NULL) == CL_SUCCESS;
  if (has_extension(f->id, "cl_khr_pci_bus_info")) {
    cl_device_pci_bus_info_khr pci;
    if (clGetDeviceInfo(f->id, CL_DEVICE_PCI_BUS_INFO_KHR, sizeof pci, &pci, NULL) == CL_SUCCESS)
      snprintf(f->pci, sizeof f->pci, "%04x:%02x:%02x.%x", pci.pci_domain & 0xffff,
               pci.pci_bus & 0xff, pci.pci_device & 0x1f, pci.pci_function & 0x7);
  } else if (has_extension(f->id, "cl_nv_device_attribute_query")) {
    cl_uint bus = 0, slot = 0, domain = 0;
    if (clGetDeviceInfo(f->id, SYNTH_CL_DEVICE_PCI_BUS_ID_NV, sizeof bus, &bus, NULL) ==
            CL_SUCCESS &&
        clGetDeviceInfo(f->id, SYNTH_CL_DEVICE_PCI_SLOT_ID_NV, sizeof slot, &slot, NULL) ==
            CL_SUCCESS) {
      clGetDeviceInfo(f->id, SYNTH_CL_DEVICE_PCI_DOMAIN_ID_NV, sizeof domain, &domain, NULL);
      snprintf(f->pci, sizeof f->pci, "%04x:%02x:%02x.0", domain & 0xffff, bus & 0xff, slot & 0x1f);
    }
  }
}

static void describe(struct cl_found *f)
{
  char buf[256] = {0};
  clGetPlatformInfo(f->platform, CL_PLATFORM_NAME, sizeof buf - 1, buf, NULL);
  info_string(f->platform_name, sizeof f->platform_name, buf);
  memset(buf, 0, sizeof buf);
  clGetDeviceInfo(f->id, CL_DEVICE_NAME, sizeof buf - 1, buf, NULL);
  info_string(f->name, sizeof f->name, buf);
  memset(buf, 0, sizeof buf);
  clGetDeviceInfo(f->id, CL_DRIVER_VERSION, sizeof buf - 1, buf, NULL);
  info_string(f->driver, sizeof f->driver, buf);
  clGetDeviceInfo(f->id, CL_DEVICE_TYPE, sizeof f->type, &f->type, NULL);
  clGetDeviceInfo(f->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof f->units, &f->units, NULL);
  clGetDeviceInfo(f->id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof f->memory, &f->memory, NULL);
  identify(f);
}

static int cl_backend_create(const struct synth__probe_config *cfg, void **out)
{
  cl_platform_id platforms[16];
  cl_uint nplat = 0;
  cl_int err = clGetPlatformIDs(16, platforms, &nplat);
  if (err != CL_SUCCESS || nplat == 0)
    return SYNTH_ENODEV; /* no ICD installed: no OpenCL devices, not an error by itself */
  struct cl_backend *b = calloc(1, sizeof *b);
  if (!b)
    return SYNTH_ENOMEM;
  b->log = cfg->log;
  const struct synth__option_value *wg = synth__option_given(cfg, SYNTH_CL_OPT_WORK_GROUP);
  const struct synth__option_value *lanes = synth__option_given(cfg, SYNTH_CL_OPT_LANES);
  const struct synth__option_value *extra = synth__option_given(cfg, SYNTH_CL_OPT_BUILD_OPTIONS);
  b->work_group = wg ? (unsigned)wg->number : 0;
  b->lanes = lanes ? (unsigned)lanes->number : 0;
  snprintf(b->build_options, sizeof b->build_options, "%s", extra ? extra->text : "");
  snprintf(b->cache_dir, sizeof b->cache_dir, "%s", cfg->cache_dir ? cfg->cache_dir : "");
  for (cl_uint p = 0; p < nplat && p < 16; p++) {
    cl_device_id ids[MAX_DEVICES];
    cl_uint n = 0;
    if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, ids, &n) != CL_SUCCESS)
      continue;
    for (cl_uint i = 0; i < n && b->count < MAX_DEVICES; i++) {
      struct cl_found *f = &b->found[b->count++];
      f->platform = platforms[p];
      f->id = ids[i];
      describe(f);
    }
  }
  *out = b;
  return 0;
}

static void cl_backend_destroy(void *backend)
{
  free(backend);
}

static int cl_probe(void *backend, const struct synth__probe_config *cfg,
                    struct synth__desc_list *out, char *topology, size_t topology_size)
{
  (void)cfg;
  struct cl_backend *b = backend;
  snprintf(topology, topology_size, "%zu device%s through the OpenCL ICD loader", b->count,
           b->count == 1 ? "" : "s");
  for (size_t i = 0; i < b->count; i++) {
    const struct cl_found *f = &b->found[i];
    struct synth__device_desc *d = synth__desc_list_push(out);
    if (!d)
      return SYNTH_ENOMEM;
    bool cpu = f->type & CL_DEVICE_TYPE_CPU;
    synth__desc_set_gpu(d, "opencl", SYNTH_DEVICE_OPENCL, i, f->name, cpu, f->uuid, f->has_uuid,
                        f->pci);
    snprintf(d->detail, sizeof d->detail, "%s, %s, %u CUs, %llu MiB", f->platform_name,
             cpu                              ? "CPU"
             : (f->type & CL_DEVICE_TYPE_GPU) ? "GPU"
                                              : "accelerator",
             f->units, (unsigned long long)(f->memory >> 20));
  }
  return 0;
}

/* The work-group size: the asked one if the kernel allows it, else a multiple of the device's
 * preferred multiple up to DEFAULT_WORK_GROUP. */
static int pick_work_group(struct cl_device *d, unsigned asked)
{
  size_t max = 0, multiple = 1;
  clGetKernelWorkGroupInfo(d->kernel, d->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof max, &max, NULL);
  clGetKernelWorkGroupInfo(d->kernel, d->id, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                           sizeof multiple, &multiple, NULL);
  if (max == 0)
    max = 1;
  if (multiple == 0)
    multiple = 1;
  if (asked) {
    if (asked > max) {
      synth__log_error(d->log,
                       "%s: device option opencl.work_group=%u is above its limit %zu for this "
                       "kernel",
                       d->label, asked, max);
      return SYNTH_EINVAL;
    }
    d->work_group = asked;
    return 0;
  }
  size_t wg = DEFAULT_WORK_GROUP < max ? DEFAULT_WORK_GROUP : max;
  if (wg >= multiple)
    wg = wg / multiple * multiple;
  d->work_group = wg;
  return 0;
}

static void cl_close(void *dev);
extern const struct synth__device_ops synth__opencl_device_ops;

static int open_device(struct cl_backend *b, const struct cl_found *f, struct cl_device *d,
                       const struct synth_workload *workload)
{
  cl_int err;
  d->ctx = clCreateContext(NULL, 1, &f->id, NULL, NULL, &err);
  if (d->ctx)
    d->queue = clCreateCommandQueue(d->ctx, f->id, 0, &err);
  if (!d->queue) {
    synth__log_error(b->log, "%s: cannot create a context and queue: %s", d->label,
                     synth__cl_error_name(err));
    return SYNTH_EDEVICE;
  }
  /* A CPU device vectorizes a kernel's vector types into SIMD; a GPU prefers scalars. */
  cl_uint width = 1;
  clGetDeviceInfo(f->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_INT, sizeof width, &width, NULL);
  d->lanes = 1;
  while (d->lanes * 2 <= width && d->lanes < 16)
    d->lanes *= 2;
  char vendor[64] = {0};
  clGetDeviceInfo(f->id, CL_DEVICE_VENDOR, sizeof vendor - 1, vendor, NULL);
  bool nvidia = strstr(vendor, "NVIDIA") != NULL;
  /* Measured on an H200 (docs/benchmarks.md): the integer pipe is the bottleneck, so most
   * adds go to the multiply-add pipe (MAD_ADDS=5: +5.5 %), with a cap of 128 registers. */
  const char *vendor_options = "";
  if (nvidia)
    vendor_options = " -D MAD_ADDS=5 -cl-nv-maxrregcount=128";
  if (b->lanes)
    d->lanes = b->lanes;
  char options[640];
  snprintf(options, sizeof options, "-cl-std=CL1.2 -D LANES=%u%s %s %s", d->lanes,
           b->build_options[0] ? "" : vendor_options,
           workload->opencl->options ? workload->opencl->options : "", b->build_options);
  int rc = synth__cl_program_build(d->ctx, f->id, workload->opencl->source, options,
                                   b->cache_dir[0] ? b->cache_dir : NULL, b->log, d->label,
                                   &d->program, &d->from_cache);
  if (rc != 0)
    return rc;
  d->kernel = clCreateKernel(d->program, workload->opencl->entry, &err);
  if (!d->kernel) {
    synth__log_error(b->log, "%s: no kernel %s: %s", d->label, workload->opencl->entry,
                     synth__cl_error_name(err));
    return SYNTH_EDEVICE;
  }
  rc = pick_work_group(d, b->work_group);
  if (rc == 0)
    rc = synth__cl_slots_create(d);
  return rc;
}

static int cl_open(void *backend, const struct synth__device_desc *desc,
                   const struct synth_workload *workload, void **out)
{
  struct cl_backend *b = backend;
  if (!workload->opencl)
    return SYNTH_ENOTSUP;
  if (desc->index0 < 0 || (size_t)desc->index0 >= b->count)
    return SYNTH_ENODEV;
  const struct cl_found *f = &b->found[desc->index0];
  struct cl_device *d = calloc(1, sizeof *d);
  if (!d)
    return SYNTH_ENOMEM;
  snprintf(d->label, sizeof d->label, "%s (%s)", desc->id, f->name);
  d->id = f->id;
  d->log = b->log;
  d->payload_size = workload->payload_size;
  d->max_hits = SYNTH_BATCH_MAX_HITS;
  pthread_mutex_init(&d->lock, NULL);
  synth__cond_init_monotonic(&d->cond);
  int rc = open_device(b, f, d, workload);
  if (rc != 0) {
    cl_close(d);
    return rc;
  }
  synth__log_info(b->log, "%s: kernel %s %s, work-group %zu, %u lanes", d->label,
                  workload->opencl->entry, d->from_cache ? "loaded from the cache" : "compiled",
                  d->work_group, d->lanes);
  *out = d;
  return 0;
}

static void cl_drain(void *dev)
{
  synth__cl_drain(dev);
}

/* The known answer through the same path as every batch. The first launch may compile device
 * code (PoCL does, per work-group size): it gets time. */
static int cl_self_test(void *dev, const struct synth_workload *workload)
{
  struct cl_device *d = dev;
  return synth__device_known_answer(&synth__opencl_device_ops, dev, workload, cl_drain, d->label,
                                    d->log, SELF_TEST_TIMEOUT_NS);
}

static void cl_engine(void *dev, char *buf, size_t size)
{
  struct cl_device *d = dev;
  snprintf(buf, size, "opencl wg%zu x%u", d->work_group, d->lanes);
}

static void cl_close(void *dev)
{
  struct cl_device *d = dev;
  if (!d)
    return;
  synth__cl_drain(d);
  synth__cl_slots_destroy(d);
  if (d->kernel)
    clReleaseKernel(d->kernel);
  if (d->program)
    clReleaseProgram(d->program);
  if (d->queue)
    clReleaseCommandQueue(d->queue);
  if (d->ctx)
    clReleaseContext(d->ctx);
  pthread_cond_destroy(&d->cond);
  pthread_mutex_destroy(&d->lock);
  free(d);
}

const struct synth__device_ops synth__opencl_device_ops = {
    .name = "opencl",
    .kind = SYNTH_DEVICE_OPENCL,
    .max_inflight = SYNTH_CL_SLOTS,
    .epoch_changed = synth__cl_epoch_changed,
    .default_latency_ms = 50.0,
    .options = synth__opencl_options,
    .backend_create = cl_backend_create,
    .backend_destroy = cl_backend_destroy,
    .probe = cl_probe,
    .open = cl_open,
    .self_test = cl_self_test,
    .thread_init = NULL,
    .submit = synth__cl_submit,
    .poll = synth__cl_poll,
    .engine = cl_engine,
    .close = cl_close,
};
