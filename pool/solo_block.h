/* solo_block.h: a block from a getblocktemplate: merkle root, 80-byte header, the whole block
 * for submitblock. */
#ifndef SYNTH_POOL_SOLO_BLOCK_H
#define SYNTH_POOL_SOLO_BLOCK_H

#include <stddef.h>
#include <stdint.h>

/* A hash as RPC shows it (64 hex digits, the digest byte-reversed: previousblockhash, txid,
 * hash) to its 32 bytes in digest order. Returns 0, or SYNTH_EINVAL unless @hex is exactly 64
 * hex digits. */
int synth__solo_hash_from_rpc(const char *hex, uint8_t out[32]);

/* The merkle root of the coinbase's txid and the template's @n txids (digest order), to
 * @root. Returns 0; SYNTH_EINVAL for NULL with n > 0, SYNTH_ERANGE above SYNTH__SOLO_MAX_TXS,
 * SYNTH_ENOMEM. Thread-safe. */
int synth__solo_merkle_root(const uint8_t coinbase_txid[32], const uint8_t (*txids)[32], size_t n,
                            uint8_t root[32]);

struct synth__solo_header {
  uint32_t version;
  uint8_t prev[32];   /* digest order (synth__solo_hash_from_rpc of previousblockhash) */
  uint8_t merkle[32]; /* digest order */
  uint32_t time, bits, nonce;
};

/* The 80 serialized bytes: every integer little-endian, the hashes as they are. Cannot fail. */
void synth__solo_header_bytes(const struct synth__solo_header *h, uint8_t out[80]);

/* The most bytes a block may take here (the 4 MWU weight limit is at most 4 MB of bytes). */
#define SYNTH__SOLO_BLOCK_MAX (4u * 1000 * 1000)

/* header ‖ CompactSize(1 + @n) ‖ @coinbase (with its witness) ‖ each @tx_hex decoded (the
 * template's `data`, already witness-serialized) into a fresh malloc'd buffer, to *@out and
 * *@out_len (the caller frees). Returns 0; SYNTH_EINVAL for a NULL argument, a data string
 * that is empty, of odd length or not hex; SYNTH_ERANGE past SYNTH__SOLO_MAX_TXS or
 * SYNTH__SOLO_BLOCK_MAX bytes; SYNTH_ENOMEM. *@out is NULL on any error. Thread-safe. */
int synth__solo_block_bytes(const uint8_t header[80], const uint8_t *coinbase, size_t coinbase_len,
                            const char *const *tx_hex, size_t n, uint8_t **out, size_t *out_len);

#endif
