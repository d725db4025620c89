/* solo_job.c: a getblocktemplate as a synth_job, and the block a share of it found. */
#include "pool/solo_job.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "pool/solo_block.h"
#include "precompute/sha256.h"
#include "synth/error.h"

int synth__solo_merkle_branches(const uint8_t (*txids)[32], size_t n,
                                uint8_t out[SYNTH_MERKLE_BRANCHES_MAX][32], size_t *count)
{
  *count = 0;
  if (n && !txids)
    return SYNTH_EINVAL;
  if (n > SYNTH__SOLO_MAX_TXS)
    return SYNTH_ERANGE;
  if (!n)
    return 0;
  /* The level's hashes beside position 0: level[0] is the coinbase's sibling. */
  uint8_t(*level)[32] = malloc((n + 1) * 32);
  if (!level)
    return SYNTH_ENOMEM;
  memcpy(level, txids, n * 32);
  size_t k = 0;
  while (n > 0) {
    memcpy(out[k++], level[0], 32);
    /* Position 0 and level[0] pair up; the rest pair among themselves, an odd last one with
     * itself (with position 0 counted, the level has n + 1 hashes). */
    size_t rest = n - 1, m = 0;
    for (size_t i = 1; i < 1 + rest; i += 2) {
      uint8_t pair[64];
      memcpy(pair, level[i], 32);
      memcpy(pair + 32, level[i + 1 < 1 + rest ? i + 1 : i], 32);
      synth__sha256d(pair, 64, level[m++]);
    }
    n = m;
  }
  free(level);
  *count = k;
  return 0;
}

static pthread_once_t en1_once = PTHREAD_ONCE_INIT;
static uint8_t en1_process[SYNTH__SOLO_EN1_LEN];
static atomic_uint job_counter;

static void en1_init(void)
{
  if (RAND_bytes(en1_process, sizeof en1_process) != 1) {
    /* No CSPRNG: still different per process and per start. */
    uint32_t v = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL);
    memcpy(en1_process, &v, sizeof v);
  }
}

static int fail(char *err, size_t err_len, int rc, const char *what)
{
  if (err && err_len)
    snprintf(err, err_len, "solo job: %s: %s", what, synth_strerror(rc));
  return rc;
}

int synth__solo_job_build(const struct synth__solo_template *t,
                          const struct synth__solo_job_spec *spec, struct synth__solo_job *j,
                          char *err, size_t err_len)
{
  if (err && err_len)
    err[0] = '\0';
  if (!t || !spec || !j)
    return fail(err, err_len, SYNTH_EINVAL, "arguments");
  memset(j, 0, sizeof *j);
  j->tpl = t;
  if (spec->extranonce1) {
    memcpy(j->extranonce1, spec->extranonce1, SYNTH__SOLO_EN1_LEN);
  } else {
    pthread_once(&en1_once, en1_init);
    memcpy(j->extranonce1, en1_process, SYNTH__SOLO_EN1_LEN);
  }

  struct synth__solo_coinbase_spec cs = {
      .version = 2,
      .height = t->height,
      .aux = t->aux,
      .aux_len = t->aux_len,
      .tag = spec->tag,
      .tag_len = spec->tag_len,
      .extranonce_len = SYNTH__SOLO_EN1_LEN + SYNTH__SOLO_EN2_LEN,
      .value = t->coinbasevalue,
      .payout_script = spec->payout_script,
      .payout_len = spec->payout_len,
  };
  uint8_t commitment[32];
  if (synth__solo_needs_commitment((const uint8_t(*)[32])t->txids, (const uint8_t(*)[32])t->wtxids,
                                   t->ntx, t->default_commitment_len > 0)) {
    if (t->default_commitment_len) {
      cs.commitment_script = t->default_commitment;
      cs.commitment_script_len = t->default_commitment_len;
    } else {
      int rc = synth__solo_witness_commitment((const uint8_t(*)[32])t->wtxids, t->ntx, commitment);
      if (rc)
        return fail(err, err_len, rc, "witness commitment");
      cs.commitment = commitment;
    }
  }
  int rc = synth__solo_coinbase_build(&cs, &j->cb);
  if (rc)
    return fail(err, err_len, rc, "coinbase");
  size_t count;
  rc = synth__solo_merkle_branches((const uint8_t(*)[32])t->txids, t->ntx, j->branches, &count);
  if (rc)
    return fail(err, err_len, rc, "merkle branches");

  snprintf(j->job_id, sizeof j->job_id, "%x.%x", (unsigned)t->height,
           atomic_fetch_add(&job_counter, 1u));
  struct synth_job *job = &j->job;
  job->job_id = j->job_id;
  job->version = t->version;
  memcpy(job->prevhash, t->prev, 32); /* digest order is the header's */
  job->ntime = (uint32_t)t->curtime;
  job->nbits = t->bits;
  memcpy(job->share_target, t->target, 32);
  job->coinb1 = j->cb.base;
  job->coinb1_len = j->cb.en_base_at;
  job->coinb2 = j->cb.base + j->cb.en_base_at + j->cb.extranonce_len;
  job->coinb2_len = j->cb.base_len - j->cb.en_base_at - j->cb.extranonce_len;
  job->extranonce1 = j->extranonce1;
  job->extranonce1_len = SYNTH__SOLO_EN1_LEN;
  job->extranonce2_size = SYNTH__SOLO_EN2_LEN;
  job->merkle_branches = (const uint8_t(*)[32])j->branches;
  job->merkle_count = count;
  job->clean = 1;
  job->version_mask = t->version_rolling ? SYNTH__SOLO_VERSION_MASK : 0;
  return 0;
}

int synth__solo_job_block(const struct synth__solo_job *j, const uint8_t *en2, uint32_t ntime,
                          uint32_t version, uint32_t nonce, uint8_t header[80], uint8_t **out,
                          size_t *out_len)
{
  if (out)
    *out = NULL;
  if (!j || !en2 || !j->tpl)
    return SYNTH_EINVAL;
  struct synth__solo_coinbase cb = j->cb;
  uint8_t en[SYNTH__SOLO_EN1_LEN + SYNTH__SOLO_EN2_LEN];
  memcpy(en, j->extranonce1, SYNTH__SOLO_EN1_LEN);
  memcpy(en + SYNTH__SOLO_EN1_LEN, en2, SYNTH__SOLO_EN2_LEN);
  int rc = synth__solo_coinbase_set_extranonce(&cb, en, sizeof en);
  if (rc)
    return rc;
  struct synth__solo_header h = {
      .version = version, .time = ntime, .bits = j->job.nbits, .nonce = nonce};
  memcpy(h.prev, j->job.prevhash, 32);
  uint8_t txid[32];
  synth__solo_coinbase_ids(&cb, txid, NULL);
  rc = synth__solo_merkle_root(txid, (const uint8_t(*)[32])j->tpl->txids, j->tpl->ntx, h.merkle);
  if (rc)
    return rc;
  uint8_t hb[80];
  synth__solo_header_bytes(&h, hb);
  if (header)
    memcpy(header, hb, 80);
  return synth__solo_block_bytes(hb, cb.full, cb.full_len, (const char *const *)j->tpl->tx_data,
                                 j->tpl->ntx, out, out_len);
}
