/* solo_coinbase.c: BIP 34 height push, the coinbase transaction and BIP 141's commitment. */
#include "pool/solo_coinbase.h"

#include <stdlib.h>
#include <string.h>

#include "pool/solo_bytes.h"
#include "precompute/sha256.h"
#include "sha256d/merkle.h"
#include "synth/error.h"

static const uint8_t commitment_header[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};

size_t synth__solo_height_push(uint32_t height, uint8_t out[SYNTH__SOLO_HEIGHT_PUSH_MAX])
{
  if (height == 0) {
    out[0] = 0x00; /* OP_0 */
    return 1;
  }
  if (height <= 16) {
    out[0] = (uint8_t)(0x50 + height); /* OP_1..OP_16 */
    return 1;
  }
  size_t n = 0;
  for (uint32_t v = height; v; v >>= 8)
    out[1 + n++] = (uint8_t)v;
  if (out[n] & 0x80)
    out[1 + n++] = 0x00; /* CScriptNum: the top bit is the sign */
  out[0] = (uint8_t)n;
  return n + 1;
}

static bool bad_span(const uint8_t *p, size_t n)
{
  return n && !p;
}

static int check_spec(const struct synth__solo_coinbase_spec *s, size_t *sig_len)
{
  if (s->version != 1 && s->version != 2)
    return SYNTH_EINVAL;
  if (bad_span(s->aux, s->aux_len) || bad_span(s->tag, s->tag_len) || !s->payout_script ||
      bad_span(s->commitment_script, s->commitment_script_len))
    return SYNTH_EINVAL;
  if (s->payout_len == 0 || s->payout_len > SYNTH__SOLO_PAYOUT_MAX ||
      s->commitment_script_len > SYNTH__SOLO_COMMITMENT_SCRIPT_MAX)
    return SYNTH_ERANGE;
  if (s->commitment_script_len &&
      (s->commitment_script_len < sizeof commitment_header ||
       memcmp(s->commitment_script, commitment_header, sizeof commitment_header) != 0))
    return SYNTH_EINVAL;
  uint8_t push[SYNTH__SOLO_HEIGHT_PUSH_MAX];
  size_t total = synth__solo_height_push(s->height, push);
  /* Each bounded by 100 on its own, so the sum cannot wrap. */
  if (s->aux_len > SYNTH__SOLO_SCRIPTSIG_MAX || s->tag_len > SYNTH__SOLO_SCRIPTSIG_MAX ||
      s->extranonce_len > SYNTH__SOLO_SCRIPTSIG_MAX)
    return SYNTH_ERANGE;
  total += s->aux_len + s->tag_len + s->extranonce_len;
  if (total < SYNTH__SOLO_SCRIPTSIG_MIN || total > SYNTH__SOLO_SCRIPTSIG_MAX)
    return SYNTH_ERANGE;
  *sig_len = total;
  return 0;
}

/* One serialization; @witness adds the marker, flag and reserved value. Returns the offset of
 * the extranonce area. */
static size_t serialize(const struct synth__solo_coinbase_spec *s, size_t sig_len,
                        const uint8_t *commit, size_t commit_len, bool witness,
                        struct synth__solo_w *w)
{
  static const uint8_t zeros[32];
  uint8_t push[SYNTH__SOLO_HEIGHT_PUSH_MAX];
  size_t push_len = synth__solo_height_push(s->height, push);
  synth__solo_put_le(w, s->version, 4);
  if (witness)
    synth__solo_put(w, (const uint8_t[]){0x00, 0x01}, 2);
  synth__solo_put_compact(w, 1);
  synth__solo_put(w, zeros, 32);         /* null prevout hash */
  synth__solo_put_le(w, 0xffffffffu, 4); /* and index */
  synth__solo_put_compact(w, sig_len);
  synth__solo_put(w, push, push_len);
  synth__solo_put(w, s->aux, s->aux_len);
  synth__solo_put(w, s->tag, s->tag_len);
  size_t en_at = w->len;
  for (size_t i = 0; i < s->extranonce_len; i++)
    synth__solo_put(w, zeros, 1);
  synth__solo_put_le(w, 0xffffffffu, 4); /* sequence */
  synth__solo_put_compact(w, commit_len ? 2 : 1);
  synth__solo_put_le(w, s->value, 8);
  synth__solo_put_compact(w, s->payout_len);
  synth__solo_put(w, s->payout_script, s->payout_len);
  if (commit_len) {
    synth__solo_put_le(w, 0, 8);
    synth__solo_put_compact(w, commit_len);
    synth__solo_put(w, commit, commit_len);
  }
  if (witness) {
    synth__solo_put_compact(w, 1); /* one stack item: the reserved value */
    synth__solo_put_compact(w, 32);
    synth__solo_put(w, zeros, 32);
  }
  synth__solo_put_le(w, 0, 4); /* locktime */
  return en_at;
}

int synth__solo_coinbase_build(const struct synth__solo_coinbase_spec *spec,
                               struct synth__solo_coinbase *cb)
{
  size_t sig_len;
  if (!spec || !cb)
    return SYNTH_EINVAL;
  int rc = check_spec(spec, &sig_len);
  if (rc)
    return rc;
  uint8_t built[sizeof commitment_header + 32];
  const uint8_t *commit = spec->commitment_script;
  size_t commit_len = spec->commitment_script_len;
  if (!commit_len && spec->commitment) {
    memcpy(built, commitment_header, sizeof commitment_header);
    memcpy(built + sizeof commitment_header, spec->commitment, 32);
    commit = built;
    commit_len = sizeof built;
  }
  memset(cb, 0, sizeof *cb);
  struct synth__solo_w base = {cb->base, sizeof cb->base, 0, false};
  struct synth__solo_w full = {cb->full, sizeof cb->full, 0, false};
  cb->has_witness = commit_len > 0;
  cb->en_base_at = serialize(spec, sig_len, commit, commit_len, false, &base);
  cb->en_full_at = serialize(spec, sig_len, commit, commit_len, cb->has_witness, &full);
  if (base.over || full.over)
    return SYNTH_ERANGE; /* unreachable with the bounds above; kept as the last word */
  cb->base_len = base.len;
  cb->full_len = full.len;
  cb->extranonce_len = spec->extranonce_len;
  return 0;
}

int synth__solo_coinbase_set_extranonce(struct synth__solo_coinbase *cb, const uint8_t *en,
                                        size_t len)
{
  if (!cb || len != cb->extranonce_len || bad_span(en, len))
    return SYNTH_EINVAL;
  if (len) {
    memcpy(cb->base + cb->en_base_at, en, len);
    memcpy(cb->full + cb->en_full_at, en, len);
  }
  return 0;
}

void synth__solo_coinbase_ids(const struct synth__solo_coinbase *cb, uint8_t txid[32],
                              uint8_t wtxid[32])
{
  if (txid)
    synth__sha256d(cb->base, cb->base_len, txid);
  if (wtxid)
    synth__sha256d(cb->full, cb->full_len, wtxid);
}

bool synth__solo_needs_commitment(const uint8_t (*txids)[32], const uint8_t (*wtxids)[32], size_t n,
                                  bool has_default_commitment)
{
  if (has_default_commitment)
    return true;
  for (size_t i = 0; txids && wtxids && i < n; i++)
    if (memcmp(txids[i], wtxids[i], 32) != 0)
      return true;
  return false;
}

int synth__solo_witness_commitment(const uint8_t (*wtxids)[32], size_t n, uint8_t out[32])
{
  if (n && !wtxids)
    return SYNTH_EINVAL;
  if (n > SYNTH__SOLO_MAX_TXS)
    return SYNTH_ERANGE;
  uint8_t(*leaves)[32] = calloc(n + 1, 32);
  if (!leaves)
    return SYNTH_ENOMEM;
  if (n)
    memcpy(leaves[1], wtxids, n * 32);
  uint8_t pair[64] = {0};
  synth__merkle_root(leaves, n + 1, pair); /* leaves[0] stays the coinbase's zero wtxid */
  free(leaves);
  synth__sha256d(pair, sizeof pair, out); /* root ‖ 32-byte zero reserved value */
  return 0;
}
