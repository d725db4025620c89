/* device.h: the one device interface every backend implements (a const ops table). */
#ifndef SYNTH_DEVICES_DEVICE_H
#define SYNTH_DEVICES_DEVICE_H

#include <stddef.h>

#include "devices/batch.h"
#include "devices/scan_ctl.h"
#include "synth/runtime.h"

struct synth__logger;

/* What the runtime's config says about devices, for probing. */
struct synth__probe_config {
  const struct synth_workload *workload; /* what the devices will hash (may be NULL) */
  unsigned cpu_threads;                  /* 0: one per core */
  const char *cpu_affinity;              /* NULL or a PU list */
  const char *cpu_core;       /* NULL or "auto": fastest by self-benchmark; else a core's name */
  unsigned opencl_work_group; /* 0: from the device's preferred multiple */
  unsigned opencl_lanes;      /* 0: the device's preferred integer vector width */
  const char *opencl_build_options; /* appended to the build options, may be NULL */
  unsigned vulkan_work_group;       /* 0: the vendor default, within the limits */
  unsigned vulkan_nonces;           /* nonces per invocation; 0: by device type */
  int vulkan_tuning;     /* the kernel's specialization constant 2: 0 the device's default,
                          * -1 zero, N > 0 N */
  const char *cache_dir; /* where compiled device programs are kept; NULL: nowhere */
  const char *cpu_topology_synthetic; /* tests only: an hwloc synthetic topology */
  const struct synth__logger *log;
};

/* One device a backend found. index0/index1 are the backend's own (CPU: worker number;
 * OpenCL: platform and device). */
struct synth__device_desc {
  char id[32];
  char name[128];
  char detail[128];
  char affinity[64]; /* PU list the device's thread is pinned to, "" when not pinned */
  char engine[32];   /* what it hashes with: the CPU scan core, the GPU kernel variant */
  enum synth_device_kind kind;
  int index0;
  int index1;
  int selected; /* the probe config makes it hash */
  int host_cpu; /* hashes on the host's CPU cores (an OpenCL or Vulkan CPU device) */
  int named;    /* selected by its own id ("opencl:1"), not by kind or "all" */
  /* Which physical device it is, to find the same GPU behind two APIs: */
  unsigned char uuid[16];
  int has_uuid;
  char pci[16];  /* "0000:17:00.0", or "" when the API does not say */
  char twin[32]; /* the id of the same physical device through the other API, or "" */
};

struct synth__desc_list {
  struct synth__device_desc *items;
  size_t count;
  size_t capacity;
};

/* Appends a zeroed desc and returns it, or NULL when out of memory. */
struct synth__device_desc *synth__desc_list_push(struct synth__desc_list *list);
void synth__desc_list_free(struct synth__desc_list *list);

/* What the OpenCL and Vulkan backends set alike for their device i: id "<api>:i", name,
 * engine, kind, indexes, and which physical device it is. A device on the host CPU (PoCL,
 * lavapipe) hashes on the cores the native backend already uses: it is selected only when
 * named. The backend writes detail itself. */
void synth__desc_set_gpu(struct synth__device_desc *d, const char *api, enum synth_device_kind kind,
                         size_t i, const char *name, int host_cpu, const unsigned char uuid[16],
                         int has_uuid, const char *pci);

/*
 * A backend. Each function documents the thread it runs on; the scheduler guarantees that a
 * device's submit/poll/thread_init run only on that device's own worker thread.
 */
struct synth__device_ops {
  const char *name; /* "cpu": used in device ids and logs */
  enum synth_device_kind kind;
  unsigned max_inflight;     /* batches submitted before the first is polled */
  double default_latency_ms; /* the tuner's default target batch latency */

  /* Per-runtime backend state (topology, contexts). Runs on the creating thread. Returns 0
   * or SYNTH_E*; on error *backend is untouched and nothing needs freeing. */
  int (*backend_create)(const struct synth__probe_config *cfg, void **backend);
  void (*backend_destroy)(void *backend);

  /* Appends every device the backend can drive, marking those cfg selects. The backend's
   * one-line view of the machine goes to topology (may stay ""). Returns 0 or SYNTH_E*. */
  int (*probe)(void *backend, const struct synth__probe_config *cfg, struct synth__desc_list *out,
               char *topology, size_t topology_size);

  /* Opens a probed device for a workload. Returns 0 and *dev, or SYNTH_E*. */
  int (*open)(void *backend, const struct synth__device_desc *desc,
              const struct synth_workload *workload, void **dev);

  /* Hashes the workload's known answer and compares. Returns 0 or SYNTH_ESELFTEST. */
  int (*self_test)(void *dev, const struct synth_workload *workload);

  /* Runs once on the device's worker thread before its first batch (CPU: pin the thread).
   * Returns 0 or SYNTH_E*; an error takes the device out. May be NULL. */
  int (*thread_init)(void *dev);

  /* Starts hashing a batch. Returns 0, or SYNTH_E* (the batch was not taken). */
  int (*submit)(void *dev, struct synth__batch *batch);

  /* Returns a finished batch in *done: 0, SYNTH_EAGAIN when none finished within timeout_ms,
   * or SYNTH_EDEVICE when the device itself failed. After a failure, the following polls
   * still return every batch in flight (done = what was really hashed, status set); the
   * scheduler waits a short while for them and gives back in full whatever does not come. */
  int (*poll)(void *dev, struct synth__batch **done, int timeout_ms);

  /* What the device hashes with, for stats ("opencl wg256"). May be NULL: the desc's engine
   * stands. */
  void (*engine)(void *dev, char *buf, size_t size);

  /* The largest batch one launch can take (dispatch limits), for the tuner's clamp. May be
   * NULL: no limit below the scheduler's own. */
  uint64_t (*max_batch)(void *dev);

  /* The scheduler's epoch moved past the work in flight (a clean job switch, or a stop).
   * Called from any thread, while the device's own thread may be submitting or polling:
   * launches of an older epoch may then end at once, returned with done = 0. May be NULL. */
  void (*epoch_changed)(void *dev, unsigned epoch);

  void (*close)(void *dev);
};

/* The built-in backends, in probe order; NULL-terminated. */
extern const struct synth__device_ops *const synth__device_backends[];

#endif
