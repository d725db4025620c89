/* solo_job.h: a getblocktemplate becomes a mining job (a coinbase split around its extranonce,
 * merkle branches for position 0); a found nonce becomes the block for submitblock. */
#ifndef SYNTH_POOL_SOLO_JOB_H
#define SYNTH_POOL_SOLO_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "pool/solo_coinbase.h"
#include "pool/solo_template.h"
#include "synth/job.h"

#define SYNTH__SOLO_EN1_LEN 4 /* extranonce1: the process's (or the caller's) 4 bytes */
#define SYNTH__SOLO_EN2_LEN 4 /* extranonce2: what the miner rolls */
#define SYNTH__SOLO_VERSION_MASK 0x1fffe000u /* BIP 320's general-purpose bits */

/* What the miner adds to a template. */
struct synth__solo_job_spec {
  const uint8_t *payout_script; /* scriptPubKey, from synth__solo_address_script */
  size_t payout_len;
  const uint8_t *tag; /* the miner's tag in the scriptSig; may be NULL with tag_len 0 */
  size_t tag_len;
  const uint8_t *extranonce1; /* SYNTH__SOLO_EN1_LEN bytes; NULL: a per-process random value */
};

/* A job and what it points to: job's coinb1/coinb2 point into cb.base, its extranonce1 and
 * branches into this struct, its job_id into job_id[]; the template is borrowed (for the
 * block) and must outlive the job. Copy it by value and the pointers go stale: rebuild. */
struct synth__solo_job {
  struct synth_job job;
  char job_id[SYNTH_JOB_ID_MAX + 1];
  struct synth__solo_coinbase cb; /* extranonce area zero */
  uint8_t extranonce1[SYNTH__SOLO_EN1_LEN];
  uint8_t branches[SYNTH_MERKLE_BRANCHES_MAX][32];
  const struct synth__solo_template *tpl;
};

/* Stratum's merkle branches for the transaction at position 0 (the coinbase) of a block whose
 * other transactions are @txids[0..@n) (digest order): folding the coinbase's txid with them
 * (synth__merkle_fold) gives the block's merkle root. Writes *@count branches (ceil(log2(n +
 * 1))). Returns 0; SYNTH_EINVAL for NULL with n > 0, SYNTH_ERANGE above SYNTH__SOLO_MAX_TXS,
 * SYNTH_ENOMEM. Thread-safe. */
int synth__solo_merkle_branches(const uint8_t (*txids)[32], size_t n,
                                uint8_t out[SYNTH_MERKLE_BRANCHES_MAX][32], size_t *count);

/* Fills @j from @t and @spec: the coinbase (version 2, BIP 34 height, coinbaseaux, tag, an
 * 8-byte extranonce area = extranonce1 ‖ extranonce2, coinbasevalue to the payout, the witness
 * commitment when synth__solo_needs_commitment says so: the template's default script, else
 * one computed from its wtxids), coinb1/coinb2 around the area in the no-witness
 * serialization, branches from the txids, version, prevhash (header order), ntime = curtime,
 * nbits, share_target = target, clean = 1, version_mask SYNTH__SOLO_VERSION_MASK where
 * t->version_rolling, else 0, and job_id "<height hex>.<counter hex>" (a per-process counter).
 * Returns 0, or the coinbase builder's or branches' error with a message in @err. */
int synth__solo_job_build(const struct synth__solo_template *t,
                          const struct synth__solo_job_spec *spec, struct synth__solo_job *j,
                          char *err, size_t err_len);

/* The block a share of @j found: its coinbase with @en2 (SYNTH__SOLO_EN2_LEN bytes) in the
 * area, the merkle root (solo_block's, over the template's txids), a header of @version, @ntime and
 * @nonce, then every template transaction, into a fresh buffer *@out of *@out_len bytes (the caller
 * frees); the header's 80 bytes to @header when it is not NULL. Returns 0 or
 * synth__solo_block_bytes' error. */
int synth__solo_job_block(const struct synth__solo_job *j, const uint8_t *en2, uint32_t ntime,
                          uint32_t version, uint32_t nonce, uint8_t header[80], uint8_t **out,
                          size_t *out_len);

#endif
