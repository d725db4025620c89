/* hashcash_workload.h: a hashcash-style proof of work as a synth workload: the indexes i whose
 * SHA-256(data ‖ i as 8 bytes big-endian) starts with `bits` zero bits. */
#ifndef HASHCASH_WORKLOAD_H
#define HASHCASH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synth/workload.h>

#define HASHCASH_DATA_MAX 256
#define HASHCASH_BITS_MAX 64

/* The job data handed to synth_runtime_submit(): copied, so it may live on the stack. */
struct hashcash_job {
  uint32_t bits; /* 0..HASHCASH_BITS_MAX */
  uint32_t len;  /* bytes of data used */
  uint8_t data[HASHCASH_DATA_MAX];
};

/* Fills job from a string; returns false if it is too long or bits too many. */
bool hashcash_job_init(struct hashcash_job *job, const char *data, unsigned bits);

/* The workload: a portable CPU scan, an OpenCL kernel and a Vulkan kernel. */
const struct synth_workload *hashcash_workload(void);

/* The reference, straight from the job and not through any payload: SHA-256 of
 * data ‖ index, and whether it starts with job->bits zero bits. */
void hashcash_hash(const struct hashcash_job *job, uint64_t index, uint8_t digest[32]);
bool hashcash_meets(const struct hashcash_job *job, const uint8_t digest[32]);

#endif
