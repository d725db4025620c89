/* solo_block.c: merkle root, header and block serialization for submitblock. */
#include "pool/solo_block.h"

#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "pool/solo_bytes.h"
#include "pool/solo_coinbase.h"
#include "sha256d/merkle.h"
#include "synth/error.h"

int synth__solo_hash_from_rpc(const char *hex, uint8_t out[32])
{
  uint8_t b[32];
  if (!hex || strnlen(hex, 65) != 64 || synth__unhex(hex, b, 32) != 0)
    return SYNTH_EINVAL;
  for (int i = 0; i < 32; i++)
    out[i] = b[31 - i];
  return 0;
}

int synth__solo_merkle_root(const uint8_t coinbase_txid[32], const uint8_t (*txids)[32], size_t n,
                            uint8_t root[32])
{
  if (!coinbase_txid || (n && !txids))
    return SYNTH_EINVAL;
  if (n > SYNTH__SOLO_MAX_TXS)
    return SYNTH_ERANGE;
  uint8_t(*leaves)[32] = malloc((n + 1) * 32);
  if (!leaves)
    return SYNTH_ENOMEM;
  memcpy(leaves[0], coinbase_txid, 32);
  if (n)
    memcpy(leaves[1], txids, n * 32);
  int rc = synth__merkle_root(leaves, n + 1, root);
  free(leaves);
  return rc;
}

void synth__solo_header_bytes(const struct synth__solo_header *h, uint8_t out[80])
{
  struct synth__solo_w w = {out, 80, 0, false};
  synth__solo_put_le(&w, h->version, 4);
  synth__solo_put(&w, h->prev, 32);
  synth__solo_put(&w, h->merkle, 32);
  synth__solo_put_le(&w, h->time, 4);
  synth__solo_put_le(&w, h->bits, 4);
  synth__solo_put_le(&w, h->nonce, 4);
}

/* The block's length, every transaction's hex checked. */
static int block_len(size_t coinbase_len, const char *const *tx_hex, size_t n, size_t *total)
{
  uint8_t cs[9];
  size_t len = 80 + synth__solo_compact_size((uint64_t)n + 1, cs) + coinbase_len;
  for (size_t i = 0; i < n; i++) {
    if (!tx_hex[i])
      return SYNTH_EINVAL;
    size_t hl = strnlen(tx_hex[i], 2 * (size_t)SYNTH__SOLO_BLOCK_MAX + 1);
    if (hl == 0 || hl % 2)
      return SYNTH_EINVAL;
    if (hl / 2 > SYNTH__SOLO_BLOCK_MAX - len)
      return SYNTH_ERANGE;
    len += hl / 2;
  }
  *total = len;
  return 0;
}

int synth__solo_block_bytes(const uint8_t header[80], const uint8_t *coinbase, size_t coinbase_len,
                            const char *const *tx_hex, size_t n, uint8_t **out, size_t *out_len)
{
  if (out)
    *out = NULL;
  if (!header || !coinbase || !out || !out_len || (n && !tx_hex))
    return SYNTH_EINVAL;
  if (n > SYNTH__SOLO_MAX_TXS || coinbase_len == 0 || coinbase_len > SYNTH__SOLO_COINBASE_MAX)
    return SYNTH_ERANGE;
  size_t total;
  int rc = block_len(coinbase_len, tx_hex, n, &total);
  if (rc)
    return rc;
  uint8_t *buf = malloc(total);
  if (!buf)
    return SYNTH_ENOMEM;
  struct synth__solo_w w = {buf, total, 0, false};
  synth__solo_put(&w, header, 80);
  synth__solo_put_compact(&w, (uint64_t)n + 1);
  synth__solo_put(&w, coinbase, coinbase_len);
  for (size_t i = 0; i < n && rc == 0; i++) {
    size_t bytes = strlen(tx_hex[i]) / 2;
    if (synth__unhex(tx_hex[i], buf + w.len, bytes) != 0)
      rc = SYNTH_EINVAL;
    w.len += bytes;
  }
  if (rc == 0 && (w.over || w.len != total))
    rc = SYNTH_ERANGE;
  if (rc) {
    free(buf);
    return rc;
  }
  *out = buf;
  *out_len = total;
  return 0;
}
