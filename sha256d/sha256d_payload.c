/* sha256d_payload.c: midstate and nonce-independent second-block work for one header. */
#include "sha256d/sha256d_payload.h"

#include <string.h>

#include "precompute/sha256.h"

/* Block 2's constant words: padding after the 80-byte message and its bit length. */
#define PAD_W4 0x80000000u
#define LEN_W15 640u

void synth__sha256d_payload_init(struct synth__sha256d_payload *p, const uint8_t header[80],
                                 const uint8_t target[32])
{
  memset(p, 0, sizeof *p);
  memcpy(p->midstate, synth__sha256_iv, sizeof p->midstate);
  synth__sha256_compress(p->midstate, header);

  for (int i = 0; i < 3; i++)
    p->w[i] = synth__load_be32(header + 64 + 4 * i);

  /* W16 = s1(W14) + W9 + s0(W1) + W0 with W9 = W14 = 0. */
  p->w16 = SYNTH_SHA_SSIG0(p->w[1]) + p->w[0];
  /* W17 = s1(W15) + W10 + s0(W2) + W1 with W10 = 0. */
  p->w17 = SYNTH_SHA_SSIG1(LEN_W15) + SYNTH_SHA_SSIG0(p->w[2]) + p->w[1];
  /* W18 = s1(W16) + W11 + s0(W3) + W2: all but s0(W3). */
  p->w18_base = SYNTH_SHA_SSIG1(p->w16) + p->w[2];
  /* W19 = s1(W17) + W12 + s0(W4) + W3: all but W3. */
  p->w19_base = SYNTH_SHA_SSIG1(p->w17) + SYNTH_SHA_SSIG0(PAD_W4);

  uint32_t s[8];
  memcpy(s, p->midstate, sizeof s);
  for (int t = 0; t < 3; t++)
    synth__sha256_round(s, synth__sha256_k[t] + p->w[t]);
  /* Round 3 with a zero W3 term: a and e each miss exactly + W3, the other words are final. */
  synth__sha256_round(s, synth__sha256_k[3]);
  memcpy(p->r4, s, sizeof p->r4);

  for (int i = 0; i < 8; i++)
    p->target[i] = synth__load_le32(target + 4 * i);
  p->one = 1;
  memcpy(p->header, header, 76);
  memset(p->header + 76, 0, 4);
}

void synth__sha256d_payload_hash(const struct synth__sha256d_payload *p, uint32_t nonce,
                                 uint8_t hash[32], uint8_t header_out[80])
{
  uint8_t header[80];
  memcpy(header, p->header, 76);
  synth__store_le32(header + 76, nonce);
  synth__sha256d(header, sizeof header, hash);
  if (header_out)
    memcpy(header_out, header, sizeof header);
}
