/* coverage_workload.h: a test workload that records how often each index of a job is hashed. */
#ifndef SYNTH_TESTS_COVERAGE_WORKLOAD_H
#define SYNTH_TESTS_COVERAGE_WORKLOAD_H

#include <stdatomic.h>
#include <stdint.h>

#include "devices/scan_ctl.h"

/*
 * "Hashing" index i increments seen[i - base] (for a finite job) and the job's nonce count;
 * i is a hit when i % hit_modulus == 0. verify() re-checks exactly that rule, so a device
 * reporting any other nonce is a hardware error.
 */
struct cover_job {
  uint32_t tag;
  uint64_t base; /* first index */
  uint64_t size; /* 0: open-ended, nothing recorded per index */
  uint64_t hit_modulus;
  atomic_uchar *seen; /* size counters */
  atomic_uint_least64_t hashed;
  atomic_uint max_epoch_seen; /* highest batch epoch a scan of this job started in */
};

extern const struct synth_workload cover_workload;

/* Returns a job (or NULL when out of memory); free with cover_job_free. */
struct cover_job *cover_job_new(uint32_t tag, uint64_t base, uint64_t size, uint64_t hit_modulus);
void cover_job_free(struct cover_job *job);

/* Indexes of the job hashed other than exactly once (0 = perfect coverage). */
uint64_t cover_job_misses(const struct cover_job *job);

/* Indexes of the job never hashed (0 = nothing lost; a device given up on may have hashed
 * some twice). */
uint64_t cover_job_unhashed(const struct cover_job *job);

/* Hits the rule gives in [base, base + size). */
uint64_t cover_job_expected_hits(const struct cover_job *job);

/* The scheduler's epoch when the scan of the batch whose payload this is returned: a hit of a
 * job replaced by a clean one at epoch E, from a scan that ended at E or later, was verified
 * after the switch and must be stale. */
unsigned cover_payload_epoch_end(const void *payload);

#endif
