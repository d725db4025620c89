/* device.h: the one device interface every backend implements (a const ops table). */
#ifndef SYNTH_DEVICES_DEVICE_H
#define SYNTH_DEVICES_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/batch.h"
#include "devices/scan_ctl.h"
#include "synth/runtime.h"

struct synth__logger;

/*
 * One setting a backend owns, set as "<backend name>.<option name>=value" in the config's
 * device_options. runtime/device_options.c parses each value and checks it against the entry
 * (type, range, then check); the backend gets the result indexed like its table and only
 * judges what needs its devices (a work-group size above a kernel's limit).
 */
struct synth__device_option {
  const char *name; /* "lanes": the key without the backend's prefix */
  enum synth_device_option_type type;
  long long min, max;        /* uint, int: the range; string: the length in bytes */
  const char *const *values; /* enum: the names, NULL-ended; its value is the index */
  const char *default_value; /* what an option left out means, in words */
  const char *help;
  /* A rule past type and range (a power of two). Returns 0, or writes why the value is
   * refused ("must be 1, 2, 4, 8 or 16") and returns SYNTH_EINVAL. May be NULL. */
  int (*check)(long long value, char *why, size_t size);
};

/* The most options one backend may have. */
#define SYNTH_DEVICE_OPTIONS_MAX 16
/* The most backends the registry (devices/registry.c.in) lists. */
#define SYNTH_MAX_BACKENDS 8

/* The value of the option at the same index of the backend's table. */
struct synth__option_value {
  bool set;         /* given; otherwise the backend uses its default */
  long long number; /* uint, int; enum: the index into values */
  const char *text; /* string: valid during backend_create and probe only; copy what you keep */
};

/* What the runtime's config says about devices, for probing. */
struct synth__probe_config {
  const struct synth_workload *workload; /* what the devices will hash (may be NULL) */
  /* The backend's own options, indexed like its ops->options; NULL: all left out. */
  const struct synth__option_value *options;
  const char *cache_dir;              /* where compiled device programs are kept; NULL: nowhere */
  const char *cpu_topology_synthetic; /* tests only: an hwloc synthetic topology */
  const struct synth__logger *log;
};

/* Option i of the backend's table as given in cfg, or NULL when it was left out. */
static inline const struct synth__option_value *
synth__option_given(const struct synth__probe_config *cfg, size_t i)
{
  return cfg->options && cfg->options[i].set ? &cfg->options[i] : NULL;
}

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
  int package;  /* a native CPU worker: the package (socket) its PU is on, -1 unknown */
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
  /* Its settings, ended by an entry with a NULL name (at most SYNTH_DEVICE_OPTIONS_MAX); NULL
   * for none. */
  const struct synth__device_option *options;

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
