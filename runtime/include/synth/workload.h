/* workload.h: a hashing workload as a descriptor: what every device kind runs, and how. */
#ifndef SYNTH_WORKLOAD_H
#define SYNTH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A job's search space is 64-bit: index = roll << 32 | nonce. For each roll the workload
 * prepares a fixed-size payload once (for a SHA-256 scan: the midstate and everything of the second
 * block that does not depend on the nonce); devices then scan nonce ranges of that roll and
 * report the nonces that meet the job's target ("hits"). The runtime re-checks every hit on
 * the CPU with the workload's reference verify() before it counts. See docs/api.md.
 */

/* What a CPU scan function is given besides its range: where to put hits, and when to stop
 * early. Opaque but for the fields a scan reads through the functions below. */
struct synth_scan_ctl {
  const void *epoch_now; /* the scheduler's job epoch (an atomic it owns) */
  unsigned epoch;        /* the epoch the batch was pulled in; a change means stop */
  uint32_t *hits;        /* nonces that met the target */
  uint32_t max_hits;
  uint32_t nhits;
  uint32_t overflow; /* hits beyond max_hits: counted, never silently lost */
};

/* How many nonces a CPU scan hashes between two looks at synth_scan_should_stop(): about a
 * millisecond for a slow core, so a new job is picked up within a few. */
#define SYNTH_SCAN_POLL_NONCES 4096u

/* Whether the scan should return now (a new job, or a stop). Thread-safe. */
SYNTH_EXTERN bool synth_scan_should_stop(const struct synth_scan_ctl *ctl);

/* Reports one hit (counted as overflow past max_hits). */
SYNTH_EXTERN void synth_scan_report(struct synth_scan_ctl *ctl, uint32_t nonce);

/*
 * A CPU scan: hashes nonces [nonce_start, nonce_start + count) of the roll whose payload is
 * given, reports each hit through ctl, and returns how many nonces it hashed (count, or fewer
 * when synth_scan_should_stop() said so; always a prefix of the range). Thread-safe: keeps no
 * state; runs on the pinned CPU workers.
 */
typedef uint32_t (*synth_cpu_scan_fn)(const void *payload, uint32_t nonce_start, uint32_t count,
                                      struct synth_scan_ctl *ctl);

/* One CPU implementation of the scan; a workload lists several (portable first, then SIMD
 * variants), and the runtime runs the fastest one the CPU supports. */
struct synth_cpu_core {
  const char *name; /* "generic", "avx2", "sha-ni", ... */
  synth_cpu_scan_fn scan;
  bool (*supported)(void); /* can this CPU run it? NULL means always */
};

/* The CPU's reference opinion of one nonce. */
#define SYNTH_VERDICT_HASH_MAX 64

struct synth_verdict {
  uint8_t hash[SYNTH_VERDICT_HASH_MAX]; /* what the workload calls the hash (hash_size bytes) */
  uint32_t hash_size;                   /* 0 .. SYNTH_VERDICT_HASH_MAX; verify sets it */
  bool meets_target;
};

/* A known answer for device self-tests: a range of a payload, and exactly the hits expected
 * there, in ascending order. */
struct synth_known_answer {
  uint32_t nonce_start;
  uint32_t count;
  const uint32_t *expect;
  size_t n_expect;
};

/*
 * A workload's kernel for OpenCL devices. Its arguments, in this order (kernels/sha256d.cl
 * shows them): (__constant const uint *payload, uint nonce_base, uint count,
 * __global uint *results, uint max_hits, volatile __global const uint *abort_word,
 * uint epoch). Work-item i hashes nonces nonce_base + i * LANES + k (LANES is a macro the
 * backend defines: 1, 2, 4, 8 or 16); results[0] counts hits atomically (past max_hits too),
 * results[1 + j] holds hit j's nonce. A work-group that finds *abort_word past epoch (wrap-safe:
 * (int)(*abort_word - epoch) > 0) hashes nothing and sets bit 31 of results[0]. It must find
 * the same hits as the workload's CPU scan.
 */
struct synth_opencl_kernel {
  const char *source;  /* NUL-terminated OpenCL C 1.2 */
  const char *entry;   /* the kernel function */
  const char *options; /* extra build options, or NULL */
};

/*
 * A workload's kernel for Vulkan devices, as SPIR-V with this interface (kernels/sha256d.comp
 * shows it): set 0 binding 0 a uniform buffer holding the payload; binding 1 a storage buffer
 * {uint count; uint nonce[];} with count bumped atomically for every hit; binding 2 a storage
 * buffer {uint epoch;} (the abort word, as for OpenCL); push constants {uint nonce_base, count,
 * max_hits, epoch}; specialization constants 0 the workgroup size, 1 nonces per invocation,
 * 2 a tuning knob of the kernel's own. The dispatch may be two-dimensional.
 */
struct synth_vulkan_kernel {
  const uint32_t *spirv;
  size_t spirv_size; /* bytes */
  const char *entry;
};

/* The largest payload a workload may have: batch slots and the payload cache reserve it. */
#define SYNTH_PAYLOAD_MAX 512

/* The most hits one batch reports; more are counted (synth_device_stats.hits_overflowed) and
 * logged but not delivered. A GPU batch covers up to hundreds of millions of indexes, so a
 * workload's hits should be rarer than about one in a million (see docs/api.md). */
#define SYNTH_BATCH_MAX_HITS 1024

/*
 * The descriptor's functions run on the runtime's threads (prepare_roll also once on the thread
 * that submits): like every callback they must not stop, destroy or wait on the runtime, which
 * refuses there with SYNTH_EDEADLK. synth_runtime_create() checks the descriptor against the
 * comments below and refuses (SYNTH_EINVAL) one that breaks them.
 */
struct synth_workload {
  const char *name;
  size_t payload_size; /* bytes, a multiple of 16, at most SYNTH_PAYLOAD_MAX */

  /* Builds the payload of one roll of a job: job_data and data_size are what the work was
   * submitted with (check the size before reading). Returns 0, or a negative SYNTH_E* code for
   * data it cannot use: at submit for the work's first roll, which submit then returns; for a
   * later roll the work ends with that code. Thread-safe. */
  int (*prepare_roll)(const void *job_data, size_t data_size, uint32_t roll, void *payload);

  /* Re-hashes one nonce of a roll by the reference path. Cannot fail. Thread-safe. */
  void (*verify)(const void *payload, uint32_t nonce, struct synth_verdict *out);

  /* CPU scans, portable first, ended by an entry whose scan is NULL. */
  const struct synth_cpu_core *cpu_cores;

  /* Device code for OpenCL devices, or NULL (they then sit this workload out). */
  const struct synth_opencl_kernel *opencl;

  /* Device code for Vulkan devices, or NULL. */
  const struct synth_vulkan_kernel *vulkan;

  /* Writes the payload of a fixed known answer every device must reproduce when it opens,
   * and describes it in ka. NULL: no self-test. Cannot fail. Thread-safe. */
  void (*known_answer)(void *payload, struct synth_known_answer *ka);

  /* Optional, for work data a flat copy will not do (it holds pointers, or allows only some
   * indexes): makes the job data prepare_roll reads from what a work was submitted with.
   * Returns 0 with *job (released with free_job), *job_size and the indexes it allows,
   * [*first, *first + *count) (*count 0: up to 2^64); or a negative SYNTH_E* code with the
   * reason in why (why_size bytes). NULL: the data is copied as it is, every index allowed.
   * Thread-safe. */
  int (*adopt_data)(const void *data, size_t size, void **job, size_t *job_size, uint64_t *first,
                    uint64_t *count, char *why, size_t why_size);
  void (*free_job)(void *job);
};

#ifdef __cplusplus
}
#endif

#endif
