/* sha256d_payload.c: midstate and nonce-independent second-block work for one header. */
#include "precompute/sha256d_payload.h"

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

  uint32_t a = p->midstate[0], b = p->midstate[1], c = p->midstate[2], d = p->midstate[3];
  uint32_t e = p->midstate[4], f = p->midstate[5], g = p->midstate[6], h = p->midstate[7];
  for (int t = 0; t < 3; t++) {
    uint32_t t1 = h + SYNTH_SHA_BSIG1(e) + SYNTH_SHA_CH(e, f, g) + synth__sha256_k[t] + p->w[t];
    uint32_t t2 = SYNTH_SHA_BSIG0(a) + SYNTH_SHA_MAJ(a, b, c);
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  /* Round 3 without its W3 term: t1 = h + S1(e) + Ch(e,f,g) + K3 (+ W3). */
  uint32_t t1 = h + SYNTH_SHA_BSIG1(e) + SYNTH_SHA_CH(e, f, g) + synth__sha256_k[3];
  uint32_t t2 = SYNTH_SHA_BSIG0(a) + SYNTH_SHA_MAJ(a, b, c);
  p->r4[0] = t1 + t2;
  p->r4[1] = a;
  p->r4[2] = b;
  p->r4[3] = c;
  p->r4[4] = d + t1;
  p->r4[5] = e;
  p->r4[6] = f;
  p->r4[7] = g;

  for (int i = 0; i < 8; i++)
    p->target[i] = synth__load_le32(target + 4 * i);
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
