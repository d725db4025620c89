/* preimage64_workload.h: the example's own workload: preimages of a 64-bit hash of (key, index)
 * under a mask, on every device kind. */
#ifndef PREIMAGE64_WORKLOAD_H
#define PREIMAGE64_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <synth/workload.h>

/* What work is submitted with (synth_work_config.data): index i is a hit when
 * (preimage64_hash(key, i) & mask) == target. target is kept masked. */
struct preimage64_job {
  uint64_t key;
  uint64_t target;
  uint64_t mask;
};

/* The C reference: two rounds of splitmix64's finalizer over a per-roll seed (roll = index >> 32,
 * see preimage64_workload.c). The kernels compute it in pairs of 32-bit words. */
uint64_t preimage64_hash(uint64_t key, uint64_t index);

/* The mask of the hash's top bits (0..64). */
uint64_t preimage64_mask(unsigned bits);

static inline bool preimage64_matches(const struct preimage64_job *job, uint64_t hash)
{
  return (hash & job->mask) == job->target;
}

/* A hit's hash as verify() reports it: the first 8 bytes of synth_verdict.hash, little-endian. */
uint64_t preimage64_verdict_hash(const struct synth_verdict *verdict);

/* The workload descriptor; it lives as long as the program. */
const struct synth_workload *preimage64_workload(void);

#endif
