/* workload.h: the hashing algorithm as a pluggable descriptor; the scheduler knows no other. */
#ifndef SYNTH_SCHEDULER_WORKLOAD_H
#define SYNTH_SCHEDULER_WORKLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A job's search space is 64-bit: index = roll << 32 | nonce. For each roll the workload
 * prepares a fixed-size payload once (for SHA-256d: the midstate and everything of the second
 * block that does not depend on the nonce); devices then scan nonce ranges of that roll and
 * report the nonces that meet the job's target ("hits"). The collector re-checks every hit
 * on the CPU with the workload's reference verify().
 */

/* What a scan core is given besides its range: where to put hits, and when to stop early. */
struct synth__scan_ctl {
  const atomic_uint *epoch_now; /* the scheduler's job epoch */
  unsigned epoch;               /* the epoch the batch was pulled in; a change means stop */
  uint32_t *hits;               /* nonces that met the target */
  uint32_t max_hits;
  uint32_t nhits;
  uint32_t overflow; /* hits beyond max_hits: counted, never silently lost */
};

/* How many nonces a scan core hashes between two looks at the restart flag: about a
 * millisecond for the slowest core, so a new job is picked up within a few. */
#define SYNTH_SCAN_POLL_NONCES 4096u

static inline bool synth__scan_should_stop(const struct synth__scan_ctl *ctl)
{
  /* Relaxed: the flag is a hint polled every few thousand nonces; the job switch itself is
   * ordered by the job pointer, not by this load. */
  return atomic_load_explicit(ctl->epoch_now, memory_order_relaxed) != ctl->epoch;
}

static inline void synth__scan_report(struct synth__scan_ctl *ctl, uint32_t nonce)
{
  if (ctl->nhits < ctl->max_hits)
    ctl->hits[ctl->nhits++] = nonce;
  else
    ctl->overflow++;
}

/*
 * A CPU scan core: hashes nonces [nonce_start, nonce_start + count) of the roll whose payload
 * is given, reports each hit through ctl, and returns how many nonces it hashed (count, or
 * fewer when ctl asked it to stop; always a prefix of the range). Thread-safe: keeps no state.
 */
typedef uint32_t (*synth__cpu_scan_fn)(const void *payload, uint32_t nonce_start, uint32_t count,
                                       struct synth__scan_ctl *ctl);

struct synth__cpu_core {
  const char *name; /* "generic", later "sse", "avx2", "avx512", "sha-ni" */
  synth__cpu_scan_fn scan;
  bool (*supported)(void); /* can this CPU run it? NULL means always */
};

/* The CPU's reference opinion of one nonce. */
struct synth__verdict {
  uint8_t hash[32];
  bool meets_target;
};

/* A known answer for device self-tests: a range of a payload, and exactly the hits expected
 * there, in ascending order. */
struct synth__known_answer {
  uint32_t nonce_start;
  uint32_t count;
  const uint32_t *expect;
  size_t n_expect;
};

/*
 * A workload's kernel for the OpenCL backend. The kernel's arguments follow one convention
 * (kernels/sha256d.cl shows it): (__constant const uint *payload, uint nonce_base, uint count,
 * __global uint *results, uint max_hits); results[0] counts hits atomically, results[1 + j]
 * holds hit j's nonce. It must compute the same hits as the workload's CPU cores.
 */
struct synth__opencl_kernel {
  const char *source;  /* NUL-terminated OpenCL C */
  const char *entry;   /* the kernel function */
  const char *options; /* extra build options, or NULL */
};

/*
 * A workload's kernel for the Vulkan backend: SPIR-V with one interface (kernels/sha256d.comp
 * shows it): set 0 binding 0 a uniform buffer holding the payload, binding 1 a storage buffer
 * {uint count; uint nonce[];} with count bumped atomically for every hit; push constants
 * {uint nonce_base, count, max_hits}; specialization constants 0 the workgroup size, 1 nonces
 * per invocation, 2 a tuning knob of the kernel's own. The dispatch may be two-dimensional.
 */
struct synth__vulkan_kernel {
  const uint32_t *spirv;
  size_t spirv_size; /* bytes */
  const char *entry;
};

/* The largest payload a workload may have: batch slots and the midstate cache reserve it. */
#define SYNTH_PAYLOAD_MAX 512

struct synth__workload {
  const char *name;
  size_t payload_size; /* bytes, a multiple of 16, at most SYNTH_PAYLOAD_MAX */

  /* Builds the payload of one roll of a job (job_data is what the job source attached).
   * Returns 0 or a negative SYNTH_E* code. Thread-safe. */
  int (*prepare_roll)(const void *job_data, uint32_t roll, void *payload);

  /* Re-hashes one nonce of a roll by the reference path. Cannot fail. Thread-safe. */
  void (*verify)(const void *payload, uint32_t nonce, struct synth__verdict *out);

  /* Scan cores for the CPU backend, portable first, ended by an entry whose scan is NULL. */
  const struct synth__cpu_core *cpu_cores;

  /* Device code for the OpenCL backend, or NULL. */
  const struct synth__opencl_kernel *opencl;

  /* Device code for the Vulkan backend, or NULL. */
  const struct synth__vulkan_kernel *vulkan;

  /* Writes the payload of a fixed known answer every device must reproduce when it opens,
   * and describes it in ka. NULL: no self-test. Cannot fail. Thread-safe. */
  void (*known_answer)(void *payload, struct synth__known_answer *ka);
};

#endif
