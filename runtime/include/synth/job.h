/* job.h: a SHA-256d mining job (a block header template with coinbase rolling) and its shares. */
#ifndef SYNTH_JOB_H
#define SYNTH_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYNTH_JOB_ID_MAX 64          /* bytes of a job id, without the terminating NUL */
#define SYNTH_EXTRANONCE_MAX 8       /* bytes of extranonce1 and of extranonce2 */
#define SYNTH_MERKLE_BRANCHES_MAX 32 /* a block of 2^32 transactions needs 32 */
#define SYNTH_COINBASE_MAX 4096      /* bytes of coinb1 + coinb2 together */

/*
 * A header template, shaped as a Stratum V1 job. Byte strings are copied by
 * synth_runtime_set_job(), so the caller may free them afterwards.
 *
 * With coinb1 set, the job's search space is 64-bit: index = roll << 32 | nonce, where roll is
 * the extranonce2 value (written little-endian into extranonce2_size bytes, so at most
 * 2^(8 * extranonce2_size) rolls, capped at 2^32). Each roll gives a coinbase
 *   coinb1 || extranonce1 || extranonce2 || coinb2
 * whose SHA-256d, folded with merkle_branches, is the header's merkle root.
 * With coinb1 NULL, merkle_root is used as given and the space is the 2^32 nonces of one
 * header.
 */
struct synth_job {
  const char *job_id; /* 1..SYNTH_JOB_ID_MAX printable characters */
  uint32_t version;
  uint8_t prevhash[32]; /* header byte order (as hashed), not the Stratum word order */
  uint32_t ntime;
  uint32_t nbits;
  uint8_t share_target[32]; /* little-endian; see synth/target.h. All zero: nbits' target */

  const uint8_t *coinb1;
  size_t coinb1_len;
  const uint8_t *coinb2;
  size_t coinb2_len;
  const uint8_t *extranonce1;
  size_t extranonce1_len;  /* 0..SYNTH_EXTRANONCE_MAX */
  size_t extranonce2_size; /* 1..SYNTH_EXTRANONCE_MAX when coinb1 is set */
  const uint8_t (*merkle_branches)[32];
  size_t merkle_count; /* 0..SYNTH_MERKLE_BRANCHES_MAX */

  uint8_t merkle_root[32]; /* only when coinb1 is NULL */

  /* 1: shares of every earlier job become stale (Stratum's clean_jobs). 0: shares of the
   * previous job that are already in flight are still delivered. */
  int clean;

  /* Version rolling (BIP 310), with coinb1 only: the header version bits the pool lets the
   * miner change; 0 for none. With a mask, the lowest min(16, bits in the mask) of its bits roll
   * too: a roll's low bits are the extranonce2 value (as many as still fit in 32) and its high bits
   * are spread over those mask bits; share.version is the rolled version. */
  uint32_t version_mask;

  /* The roll hashing starts at (below the job's number of rolls): the space searched is
   * rolls first_roll.. of it. A pool client picks it at random, so miners behind one
   * extranonce1 (a proxy) rarely repeat each other's work. */
  uint32_t first_roll;
};

/* A share: a header whose SHA-256d meets the job's share target, re-hashed on the CPU. */
struct synth_share {
  const char *job_id;
  uint8_t extranonce2[SYNTH_EXTRANONCE_MAX];
  size_t extranonce2_size;
  uint32_t ntime;
  uint32_t nonce;        /* the header's nonce field, as a number */
  uint32_t version;      /* the header's version, rolled bits included */
  uint32_t version_bits; /* version & the job's version_mask: what Stratum submits */
  uint8_t header[80];
  uint8_t hash[32];  /* SHA-256d of header, digest byte order */
  double difficulty; /* the difficulty this hash reaches */
  unsigned device;   /* index of the device that found it */
};

/*
 * Fills job with the built-in benchmark job: a realistic header template (version, previous
 * block, nbits and a coinbase of the shape pools send), 4-byte extranonce2 rolling and a share
 * target of the given pool difficulty (SYNTH_BENCHMARK_DIFFICULTY when difficulty is 0).
 * The byte strings it points to are static. Returns 0, or SYNTH_EINVAL for a negative or
 * non-finite difficulty. Thread-safe.
 */
#define SYNTH_BENCHMARK_DIFFICULTY (1.0 / 8192)
SYNTH_EXTERN int synth_benchmark_job(struct synth_job *job, double difficulty);

/* How many rolls (extranonce2 and version-bit combinations) the job's search space has: a
 * struct synth_job's first_roll must be below it. Thread-safe. */
SYNTH_EXTERN uint64_t synth_job_rolls(const struct synth_job *job);

#ifdef __cplusplus
}
#endif

#endif
