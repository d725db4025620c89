/* solo_coinbase.h: the coinbase transaction a solo miner builds from getblocktemplate: BIP 34
 * height push, payout and witness commitment outputs, both serializations, txid and wtxid. */
#ifndef SYNTH_POOL_SOLO_COINBASE_H
#define SYNTH_POOL_SOLO_COINBASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest height push: a push opcode and 5 bytes (0xffffffff needs a sign byte). */
#define SYNTH__SOLO_HEIGHT_PUSH_MAX 6

/* @height as Bitcoin Core's CScript() << height writes it, the form BIP 34 checks: 0 as OP_0,
 * 1..16 as OP_1..OP_16, larger as a push of its minimal little-endian CScriptNum bytes (a 0x00
 * sign byte added when the top bit is set). Returns the length written to @out (1..6). Cannot
 * fail. */
size_t synth__solo_height_push(uint32_t height, uint8_t out[SYNTH__SOLO_HEIGHT_PUSH_MAX]);

/* scriptSig bounds (consensus: 2..100 bytes) and the outputs' script bounds accepted here. */
#define SYNTH__SOLO_SCRIPTSIG_MIN 2
#define SYNTH__SOLO_SCRIPTSIG_MAX 100
#define SYNTH__SOLO_PAYOUT_MAX 128 /* a P2PK output (67 bytes) fits */
#define SYNTH__SOLO_COMMITMENT_SCRIPT_MAX 80
#define SYNTH__SOLO_COINBASE_MAX 512

/* What goes into the coinbase; pointers with a zero length may be NULL. */
struct synth__solo_coinbase_spec {
  uint32_t version; /* 1 or 2 */
  uint32_t height;
  const uint8_t *aux; /* coinbaseaux's flags, decoded */
  size_t aux_len;
  const uint8_t *tag; /* the miner's tag */
  size_t tag_len;
  size_t extranonce_len; /* bytes the roll rewrites, at the end of the scriptSig */
  uint64_t value;        /* coinbasevalue, satoshis */
  const uint8_t *payout_script;
  size_t payout_len; /* 1..SYNTH__SOLO_PAYOUT_MAX */
  /* The witness commitment output's script: the template's default_witness_commitment used
   * verbatim when given (commitment_script_len > 0), else OP_RETURN 0x24 aa21a9ed ‖
   * @commitment when @commitment is not NULL; with neither the coinbase has no witness. */
  const uint8_t *commitment_script;
  size_t commitment_script_len;
  const uint8_t *commitment; /* 32 bytes, from synth__solo_witness_commitment */
};

/* A built coinbase: with witness (BIP 144 marker, flag and the 32-zero-byte reserved value) in
 * full[], without in base[] (what the txid hashes). Without a commitment both are the same. The
 * extranonce area is extranonce_len bytes at full + en_full_at and base + en_base_at. */
struct synth__solo_coinbase {
  uint8_t full[SYNTH__SOLO_COINBASE_MAX], base[SYNTH__SOLO_COINBASE_MAX];
  size_t full_len, base_len;
  size_t en_full_at, en_base_at, extranonce_len;
  bool has_witness;
};

/* Builds @cb from @spec with a zero extranonce. Returns 0; SYNTH_EINVAL for a version other
 * than 1 or 2, a NULL pointer with a length, no payout script, or a commitment script that is
 * not an OP_RETURN starting with the 0xaa21a9ed header; SYNTH_ERANGE when the scriptSig would
 * be outside 2..100 bytes or a script is longer than its bound. Thread-safe. */
int synth__solo_coinbase_build(const struct synth__solo_coinbase_spec *spec,
                               struct synth__solo_coinbase *cb);

/* Writes the @len bytes of @en into the extranonce area of both serializations. Returns 0, or
 * SYNTH_EINVAL when @len is not the area's length. */
int synth__solo_coinbase_set_extranonce(struct synth__solo_coinbase *cb, const uint8_t *en,
                                        size_t len);

/* The txid (SHA-256d of base[]) and wtxid (of full[]), in digest order; either may be NULL. */
void synth__solo_coinbase_ids(const struct synth__solo_coinbase *cb, uint8_t txid[32],
                              uint8_t wtxid[32]);

/* Whether the coinbase carries a witness commitment: when the template gave a
 * default_witness_commitment, or any of its @n transactions has a witness (its wtxid, the
 * template's `hash`, differs from its txid). NULL lists with n > 0 count as no witness. */
bool synth__solo_needs_commitment(const uint8_t (*txids)[32], const uint8_t (*wtxids)[32], size_t n,
                                  bool has_default_commitment);

/* The most transactions a template may list besides the coinbase (a block of 4 MWU holds
 * fewer than 2^16 of the smallest). */
#define SYNTH__SOLO_MAX_TXS (1u << 20)

/* BIP 141's commitment: the witness merkle root of (32 zero bytes for the coinbase, then
 * @wtxids[0..@n) in digest order), then SHA-256d(root ‖ 32 zero bytes, the reserved value), to
 * @out. Returns 0; SYNTH_EINVAL for NULL with n > 0, SYNTH_ERANGE above SYNTH__SOLO_MAX_TXS,
 * SYNTH_ENOMEM. Thread-safe. */
int synth__solo_witness_commitment(const uint8_t (*wtxids)[32], size_t n, uint8_t out[32]);

#endif
