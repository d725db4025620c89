/* runtime.h: the synthetic GPU: every selected device hashing one job, shares out by callback. */
#ifndef SYNTH_RUNTIME_H
#define SYNTH_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"
#include "synth/job.h"
#include "synth/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synth_runtime synth_runtime;

enum synth_device_kind {
  SYNTH_DEVICE_CPU = 0,
  SYNTH_DEVICE_OPENCL = 1,
  SYNTH_DEVICE_VULKAN = 2,
};

/* "cpu", "opencl" or "vulkan"; "unknown" otherwise. Thread-safe. */
SYNTH_EXTERN const char *synth_device_kind_name(enum synth_device_kind kind);

/*
 * Called once for every verified, de-duplicated share of a current job, from the device
 * thread that found it. It must be thread-safe and quick (hand the share to a queue) and
 * must not call synth_runtime_stop() or synth_runtime_destroy(). share is valid only
 * during the call.
 */
typedef void (*synth_share_fn)(void *user, const struct synth_share *share);

/* Zero-initialise, then set what you need: every zero field means its default. */
struct synth_runtime_config {
  /* Which devices hash: "all" (the default, NULL), or a comma-separated list of "cpu",
   * "opencl", "vulkan", "opencl:N", "vulkan:N". */
  const char *devices;
  /* CPU workers: 0 means one per core (one per listed PU with cpu_affinity). */
  unsigned cpu_threads;
  /* NULL, or the processing units (OS indexes, "0,2-3") the CPU workers are pinned to, one
   * worker per unit. Without it each worker is pinned to one whole core. */
  const char *cpu_affinity;
  /* The CPU scan core: NULL or "auto" (the fastest here, by a short self-benchmark when the
   * runtime is created), or one of "sha-ni", "avx512", "avx2", "sse", "generic". A core this
   * CPU cannot run is an error. */
  const char *cpu_core;
  /* OpenCL work-group size; 0 means the device's preferred multiple (up to 256). */
  unsigned opencl_work_group;
  /* Nonces per OpenCL work-item, in a vector (1, 2, 4, 8, 16); 0 means the device's preferred
   * integer vector width. */
  unsigned opencl_lanes;
  /* Extra OpenCL build options for tuning ("-cl-nv-maxrregcount=128"); NULL for none. */
  const char *opencl_build_options;
  /* Vulkan workgroup size; 0 means the device's default (NVIDIA 512, others 256), within its
   * limits. */
  unsigned vulkan_work_group;
  /* Nonces each Vulkan invocation hashes (1..64); 0 means the device's default (a GPU 1, a CPU
   * device such as lavapipe 8). */
  unsigned vulkan_nonces;
  /* How many of the SHA-256d kernel's adds run as multiply-adds, a GPU tuning knob (see
   * kernels/sha256d.comp): 1..7 that level, -1 none, 0 the device's default (NVIDIA 7,
   * others none). */
  int vulkan_mad_adds;
  /* A GPU that both OpenCL and Vulkan reach hashes through one of them only: NULL or "auto"
   * (the faster, by a short benchmark when the runtime is created), "opencl" or "vulkan". A
   * device named by its id ("vulkan:0") is always driven as named. */
  const char *prefer;
  /* A device batch still running after this many milliseconds means a hung device: it is
   * taken out and its work goes to the others. 0 means 10000. */
  unsigned batch_timeout_ms;
  /* A folder for compiled device programs, so a restart does not recompile; created if
   * missing. NULL: nothing is cached. */
  const char *cache_dir;
  /* Wanted wall time of one CPU batch in milliseconds; 0 means 5. */
  double cpu_target_latency_ms;
  /* log2 of the nonces in one WorkUnit (8..24); 0 means 14. */
  unsigned unit_log2;

  synth_log_fn log_fn; /* NULL: nothing is logged */
  void *log_user;
  enum synth_log_level log_level; /* messages above this level are not formatted */

  synth_share_fn share_fn; /* NULL: shares are counted only */
  void *share_user;
};

/*
 * Probes the backends, selects the devices cfg asks for, opens each one and runs its
 * known-answer self-test. No thread is started yet. Returns 0 and *out, or SYNTH_EINVAL (a
 * malformed device list or config), SYNTH_ENODEV (a device that does not exist, or a list
 * that selects none), SYNTH_ESELFTEST, SYNTH_ENOMEM, SYNTH_ESYSTEM; the reason is logged.
 * Thread-safe; the returned runtime is not shared with any other.
 */
SYNTH_EXTERN int synth_runtime_create(synth_runtime **out, const struct synth_runtime_config *cfg);

/* Stops the runtime if it runs and releases everything. NULL is ignored. Not thread-safe
 * against other calls on the same runtime. */
SYNTH_EXTERN void synth_runtime_destroy(synth_runtime *rt);

/* Starts one pinned worker thread per device and the scheduler's service thread. Devices
 * idle until a job is set. Idempotent. Returns 0, or SYNTH_ESYSTEM if a thread could not be
 * started (nothing is left running). */
SYNTH_EXTERN int synth_runtime_start(synth_runtime *rt);

/* Stops hashing: batches in flight are cut short and their results collected, shares found
 * so far are delivered, threads are joined. Idempotent; returns 0. */
SYNTH_EXTERN int synth_runtime_stop(synth_runtime *rt);

/*
 * Replaces the job every device hashes. Queued units of the old job are dropped when
 * dequeued and batches in flight stop within a few milliseconds. Returns 0, or SYNTH_EINVAL
 * for a malformed job (the current job stays), SYNTH_ENOMEM. Thread-safe.
 */
SYNTH_EXTERN int synth_runtime_set_job(synth_runtime *rt, const struct synth_job *job);

/* Per-device figures. Fields are only ever appended: pass sizeof(struct synth_device_stats). */
struct synth_device_stats {
  char id[32]; /* "cpu:0" */
  enum synth_device_kind kind;
  char name[128];
  uint64_t nonces; /* hashed */
  uint64_t batches;
  uint64_t shares;          /* hits the device reported */
  uint64_t shares_verified; /* of those, re-hashed on the CPU and meeting the target */
  uint64_t hw_errors;       /* hits whose CPU re-hash did not meet the target */
  uint64_t stale;           /* hits of a job replaced with clean set */
  uint64_t duplicates;      /* hits already reported */
  double seconds;           /* time the device has been running */
  double hashrate;          /* nonces / seconds */
  double hashrate_ewma;     /* exponentially weighted, time constant 5 s */
  double hashrate_window;   /* over the last (up to) 30 one-second snapshots */
  double latency_ms;        /* of the last batch */
  uint64_t batch_nonces;    /* the tuner's current batch size */
  char engine[32];          /* what it hashes with: "sha-ni", "avx2", ... for a CPU worker */
};

/* Number of devices the runtime drives. Thread-safe. */
SYNTH_EXTERN unsigned synth_runtime_device_count(const synth_runtime *rt);

/* Copies device index's figures into out (out_size bytes of it). Returns 0, or SYNTH_EINVAL
 * for an index out of range or out_size too small for the fields up to `seconds`.
 * Thread-safe; figures are read without stopping the devices. */
SYNTH_EXTERN int synth_runtime_device_stats(synth_runtime *rt, unsigned index,
                                            struct synth_device_stats *out, size_t out_size);

/* A device a backend found, as listed by synth_probe(). */
struct synth_device_desc {
  const char *id; /* "cpu:0", "opencl:1" */
  enum synth_device_kind kind;
  const char *name;
  const char *detail;   /* where it sits: "package 0, core 1, PU 1" */
  const char *topology; /* the backend's view of the machine, the same for each of its devices */
  const char *engine;   /* what it would hash with ("avx2"); topology says why */
  int selected;         /* 1 if cfg would make it hash */
  const char *uuid;     /* the device UUID the API reports ("6d657361-..."), or "" */
  const char *pci;      /* its PCI address ("0000:17:00.0"), or "" */
  /* The id of the same hardware through the other API ("vulkan:0"), or "". When both would
   * hash, synth_runtime_create() drives it through one: see synth_runtime_config.prefer. */
  const char *twin;
};

typedef void (*synth_probe_fn)(void *user, const struct synth_device_desc *desc);

/* Lists every device the built-in backends find, marking those cfg selects; desc is valid
 * only during the call. Nothing is opened. Returns 0 or an error as synth_runtime_create().
 * Thread-safe. */
SYNTH_EXTERN int synth_probe(const struct synth_runtime_config *cfg, synth_probe_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif
