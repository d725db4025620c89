/* mix_workload.h: a small workload of the tests' own, CPU only, through the public API:
 * index i is a hit when mix(seed ^ i) < threshold (splitmix64's finalizer). */
#ifndef SYNTH_TESTS_MIX_WORKLOAD_H
#define SYNTH_TESTS_MIX_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "synth/workload.h"

struct mix_job {
  uint64_t seed, threshold;
  /* Non-zero: prepare_roll refuses every roll from this one on, with fail_code. */
  uint32_t fail_from_roll;
  int fail_code;
};

struct mix_payload {
  uint64_t seed, threshold;
  uint32_t roll, pad[3];
};

/* prepare_roll: refuses data that is not a whole struct mix_job. */
int mix_prepare(const void *job_data, size_t data_size, uint32_t roll, void *payload);
uint64_t mix_hash_of(const struct mix_payload *p, uint32_t nonce);
/* The workload's CPU scan and reference, for tests that wrap them. */
uint32_t mix_scan(const void *payload, uint32_t start, uint32_t count, struct synth_scan_ctl *ctl);
void mix_verify(const void *payload, uint32_t nonce, struct synth_verdict *out);

extern const struct synth_workload mix_workload;

/* The initializer of a mix workload named @name_ that scans with @cores_: mix_workload's own,
 * and a test's that wraps mix_scan. */
#define MIX_WORKLOAD(name_, cores_)                                                                \
  {                                                                                                \
    .name = (name_), .payload_size = sizeof(struct mix_payload), .prepare_roll = mix_prepare,      \
    .verify = mix_verify, .cpu_cores = (cores_),                                                   \
  }

#endif
