/* mining_job.c: a validated private copy of a public synth_job, and its header per roll. */
#include "sha256d/mining_job.h"

#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "sha256d/merkle.h"
#include "precompute/sha256.h"
#include "synth/error.h"
#include "synth/target.h"

static bool all_zero(const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (p[i])
      return false;
  }
  return true;
}

static int check_job_id(const char *id, const struct synth__logger *log)
{
  size_t n = id ? strnlen(id, SYNTH_JOB_ID_MAX + 1) : 0;
  if (n == 0 || n > SYNTH_JOB_ID_MAX) {
    synth__log_error(log, "job: the job id must have 1 to %d characters", SYNTH_JOB_ID_MAX);
    return SYNTH_EINVAL;
  }
  for (size_t i = 0; i < n; i++) {
    if (id[i] < 0x21 || id[i] > 0x7e) {
      synth__log_error(log, "job: the job id must be printable ASCII without spaces");
      return SYNTH_EINVAL;
    }
  }
  return 0;
}

static int check_coinbase(const struct synth_job *job, const struct synth__logger *log)
{
  if (!job->coinb1)
    return 0;
  if (!job->coinb2 && job->coinb2_len) {
    synth__log_error(log, "job %s: coinb2 is missing", job->job_id);
    return SYNTH_EINVAL;
  }
  if (job->coinb1_len > SYNTH_COINBASE_MAX || job->coinb2_len > SYNTH_COINBASE_MAX ||
      job->coinb1_len + job->coinb2_len > SYNTH_COINBASE_MAX) {
    synth__log_error(log, "job %s: coinbase longer than %d bytes", job->job_id, SYNTH_COINBASE_MAX);
    return SYNTH_EINVAL;
  }
  if (job->extranonce1_len > SYNTH_EXTRANONCE_MAX || (job->extranonce1_len && !job->extranonce1)) {
    synth__log_error(log, "job %s: extranonce1 must have 0 to %d bytes", job->job_id,
                     SYNTH_EXTRANONCE_MAX);
    return SYNTH_EINVAL;
  }
  if (job->extranonce2_size < 1 || job->extranonce2_size > SYNTH_EXTRANONCE_MAX) {
    synth__log_error(log, "job %s: extranonce2 size must be 1 to %d bytes", job->job_id,
                     SYNTH_EXTRANONCE_MAX);
    return SYNTH_EINVAL;
  }
  if (job->merkle_count > SYNTH_MERKLE_BRANCHES_MAX ||
      (job->merkle_count && !job->merkle_branches)) {
    synth__log_error(log, "job %s: at most %d merkle branches", job->job_id,
                     SYNTH_MERKLE_BRANCHES_MAX);
    return SYNTH_EINVAL;
  }
  return 0;
}

uint64_t synth_job_rolls(const struct synth_job *job)
{
  return job ? synth__mining_job_rolls(job, NULL, NULL) : 0;
}

uint64_t synth__mining_job_rolls(const struct synth_job *job, unsigned *version_bits,
                                 unsigned *extranonce2_bits)
{
  /* Version bits take the low end of the 32-bit roll (so the first rolls already use them),
   * extranonce2 what is left above. */
  unsigned vbits = (unsigned)__builtin_popcount(job->version_mask);
  vbits = vbits > 16 ? 16 : vbits;
  unsigned en2_bits = 8 * (unsigned)job->extranonce2_size;
  en2_bits = en2_bits < 32 - vbits ? en2_bits : 32 - vbits;
  if (version_bits)
    *version_bits = vbits;
  if (extranonce2_bits)
    *extranonce2_bits = en2_bits;
  return 1ull << (vbits + en2_bits);
}

int synth__mining_job_create(const struct synth_job *job, const struct synth__logger *log,
                             struct synth__mining_job **out)
{
  if (!job)
    return SYNTH_EINVAL;
  int rc = check_job_id(job->job_id, log);
  if (rc == 0)
    rc = check_coinbase(job, log);
  if (rc != 0)
    return rc;

  struct synth__mining_job *m = calloc(1, sizeof *m);
  if (!m)
    return SYNTH_ENOMEM;
  memcpy(m->job_id, job->job_id, strlen(job->job_id) + 1);
  m->version = job->version;
  m->ntime = job->ntime;
  m->nbits = job->nbits;
  memcpy(m->prevhash, job->prevhash, 32);
  if (all_zero(job->share_target, 32)) {
    if (synth_target_from_nbits(job->nbits, m->target) != 0 || all_zero(m->target, 32)) {
      synth__log_error(log, "job %s: no share target, and nbits %08x gives none", job->job_id,
                       job->nbits);
      free(m);
      return SYNTH_EINVAL;
    }
  } else {
    memcpy(m->target, job->share_target, 32);
  }

  if (!job->coinb1) {
    m->fixed_root = true;
    memcpy(m->merkle_root, job->merkle_root, 32);
    m->rolls = 1;
    *out = m;
    return 0;
  }
  m->coinb1_len = job->coinb1_len;
  m->coinb2_len = job->coinb2_len;
  m->extranonce1_len = job->extranonce1_len;
  m->extranonce2_size = job->extranonce2_size;
  m->nbranches = job->merkle_count;
  m->version_mask = job->version_mask;
  m->rolls = synth__mining_job_rolls(job, &m->version_bits, &m->extranonce2_bits);
  if (job->first_roll >= m->rolls) {
    synth__log_error(log, "job %s: first roll %u is beyond its %llu rolls", job->job_id,
                     job->first_roll, (unsigned long long)m->rolls);
    free(m);
    return SYNTH_EINVAL;
  }
  m->first_roll = job->first_roll;
  m->coinbase = malloc(m->coinb1_len + m->coinb2_len + 1);
  m->branches = malloc((m->nbranches ? m->nbranches : 1) * sizeof *m->branches);
  if (!m->coinbase || !m->branches) {
    synth__mining_job_free(m);
    return SYNTH_ENOMEM;
  }
  memcpy(m->coinbase, job->coinb1, m->coinb1_len);
  if (m->coinb2_len)
    memcpy(m->coinbase + m->coinb1_len, job->coinb2, m->coinb2_len);
  if (m->extranonce1_len)
    memcpy(m->extranonce1, job->extranonce1, m->extranonce1_len);
  if (m->nbranches)
    memcpy(m->branches, job->merkle_branches, m->nbranches * sizeof *m->branches);
  *out = m;
  return 0;
}

void synth__mining_job_free(void *job)
{
  struct synth__mining_job *m = job;
  if (!m)
    return;
  free(m->coinbase);
  free(m->branches);
  free(m);
}

uint64_t synth__mining_job_size(const struct synth__mining_job *job)
{
  return job->rolls >= (1ull << 32) ? 0 : (job->rolls - job->first_roll) << 32;
}

uint64_t synth__mining_job_start(const struct synth__mining_job *job)
{
  return (uint64_t)job->first_roll << 32;
}

void synth__mining_job_extranonce2(const struct synth__mining_job *job, uint32_t roll,
                                   uint8_t out[SYNTH_EXTRANONCE_MAX])
{
  memset(out, 0, SYNTH_EXTRANONCE_MAX);
  uint32_t value = job->version_bits ? roll >> job->version_bits : roll;
  for (size_t i = 0; i < job->extranonce2_size && i < 4; i++)
    out[i] = (uint8_t)(value >> (8 * i));
}

uint32_t synth__mining_job_version(const struct synth__mining_job *job, uint32_t roll)
{
  if (!job->version_bits)
    return job->version;
  uint32_t index = roll & ((1u << job->version_bits) - 1);
  uint32_t version = job->version & ~job->version_mask, mask = job->version_mask;
  /* Deposit the index's bits into the mask's lowest set bits, one by one (pdep). */
  for (unsigned i = 0; i < job->version_bits; i++) {
    uint32_t bit = mask & -mask;
    if (index >> i & 1)
      version |= bit;
    mask &= mask - 1;
  }
  return version;
}

void synth__mining_job_header(const struct synth__mining_job *job, uint32_t roll,
                              uint8_t header[80])
{
  uint8_t root[32];
  if (job->fixed_root) {
    memcpy(root, job->merkle_root, 32);
  } else {
    uint8_t en2[SYNTH_EXTRANONCE_MAX];
    synth__mining_job_extranonce2(job, roll, en2);
    synth__coinbase_hash(job->coinbase, job->coinb1_len, job->extranonce1, job->extranonce1_len,
                         en2, job->extranonce2_size, job->coinbase + job->coinb1_len,
                         job->coinb2_len, root);
    synth__merkle_fold(root, (const uint8_t(*)[32])job->branches, job->nbranches, root);
  }
  synth__store_le32(header, synth__mining_job_version(job, roll));
  memcpy(header + 4, job->prevhash, 32);
  memcpy(header + 36, root, 32);
  synth__store_le32(header + 68, job->ntime);
  synth__store_le32(header + 72, job->nbits);
  memset(header + 76, 0, 4);
}
