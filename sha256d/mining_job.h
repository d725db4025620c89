/* mining_job.h: a validated private copy of a public synth_job, and its header per roll. */
#ifndef SYNTH_RUNTIME_MINING_JOB_H
#define SYNTH_RUNTIME_MINING_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/job.h"

struct synth__logger;

struct synth__mining_job {
  char job_id[SYNTH_JOB_ID_MAX + 1];
  uint32_t version;
  uint32_t ntime;
  uint32_t nbits;
  uint8_t prevhash[32];
  uint8_t target[32];
  bool fixed_root; /* no coinbase: merkle_root is used as is, one roll */
  uint8_t merkle_root[32];
  uint8_t *coinbase; /* coinb1 || coinb2 in one allocation */
  size_t coinb1_len;
  size_t coinb2_len;
  uint8_t extranonce1[SYNTH_EXTRANONCE_MAX];
  size_t extranonce1_len;
  size_t extranonce2_size;
  uint8_t (*branches)[32];
  size_t nbranches;
  uint64_t rolls;            /* extranonce2 values x version values, at most 2^32 */
  uint32_t version_mask;     /* the bits a roll may change */
  unsigned version_bits;     /* how many of them roll: the lowest, at most 16 */
  unsigned extranonce2_bits; /* low bits of a roll that are the extranonce2 value */
  uint32_t first_roll;       /* where the search starts */
};

/* How many rolls a coinbase job has (extranonce2 values x version values), and how many of a
 * roll's bits are version bits (the low ones) and extranonce2 bits (those above). */
uint64_t synth__mining_job_rolls(const struct synth_job *job, unsigned *version_bits,
                                 unsigned *extranonce2_bits);

/* Validates job and copies everything it points to. Returns 0 and *out, or SYNTH_EINVAL with
 * the reason logged, or SYNTH_ENOMEM. */
int synth__mining_job_create(const struct synth_job *job, const struct synth__logger *log,
                             struct synth__mining_job **out);

/* Frees a job made by synth__mining_job_create. NULL is ignored. */
void synth__mining_job_free(void *job);

/* The job's search space in indexes (roll << 32 | nonce) from its first roll on: 0 means to
 * the end of the 64-bit space. */
uint64_t synth__mining_job_size(const struct synth__mining_job *job);

/* The first index of the search: first_roll << 32. */
uint64_t synth__mining_job_start(const struct synth__mining_job *job);

/* The extranonce2 bytes of a roll: its extranonce2 bits little-endian in extranonce2_size
 * bytes. */
void synth__mining_job_extranonce2(const struct synth__mining_job *job, uint32_t roll,
                                   uint8_t out[SYNTH_EXTRANONCE_MAX]);

/* The header version of a roll: the job's, with the roll's high bits spread over the mask. */
uint32_t synth__mining_job_version(const struct synth__mining_job *job, uint32_t roll);

/* The 80-byte header of a roll, nonce zero. Cannot fail. */
void synth__mining_job_header(const struct synth__mining_job *job, uint32_t roll,
                              uint8_t header[80]);

#endif
