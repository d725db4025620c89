/* sha256d_scan_generic.c: the portable C SHA-256d scan core, one nonce at a time. */
#include <string.h>

#include "sha256d/sha256d_cores.h"
#include "precompute/sha256.h"
#include "sha256d/sha256d_payload.h"

#define K synth__sha256_k
#define CH SYNTH_SHA_CH
#define MAJ SYNTH_SHA_MAJ
#define S0 SYNTH_SHA_BSIG0
#define S1 SYNTH_SHA_BSIG1
#define s0 SYNTH_SHA_SSIG0
#define s1 SYNTH_SHA_SSIG1

/* One round with the eight working variables passed in rotated order: the caller rotates
 * names instead of moving values, so no copies happen. */
#define ROUND(a, b, c, d, e, f, g, h, kw)                                                          \
  do {                                                                                             \
    uint32_t t1_ = (h) + S1(e) + CH((e), (f), (g)) + (kw);                                         \
    (d) += t1_;                                                                                    \
    (h) = t1_ + S0(a) + MAJ((a), (b), (c));                                                        \
  } while (0)

/* Eight rounds starting at round i (a multiple of 8), K[t] + W[t] from w[]. */
#define ROUNDS8(i, w)                                                                              \
  do {                                                                                             \
    ROUND(a, b, c, d, e, f, g, h, K[(i) + 0] + (w)[(i) + 0]);                                      \
    ROUND(h, a, b, c, d, e, f, g, K[(i) + 1] + (w)[(i) + 1]);                                      \
    ROUND(g, h, a, b, c, d, e, f, K[(i) + 2] + (w)[(i) + 2]);                                      \
    ROUND(f, g, h, a, b, c, d, e, K[(i) + 3] + (w)[(i) + 3]);                                      \
    ROUND(e, f, g, h, a, b, c, d, K[(i) + 4] + (w)[(i) + 4]);                                      \
    ROUND(d, e, f, g, h, a, b, c, K[(i) + 5] + (w)[(i) + 5]);                                      \
    ROUND(c, d, e, f, g, h, a, b, K[(i) + 6] + (w)[(i) + 6]);                                      \
    ROUND(b, c, d, e, f, g, h, a, K[(i) + 7] + (w)[(i) + 7]);                                      \
  } while (0)

/* The general schedule step. */
#define SCHED(w, t) ((w)[t] = s1((w)[(t)-2]) + (w)[(t)-7] + s0((w)[(t)-15]) + (w)[(t)-16])

/* Block 2 (the header's last 16 bytes and padding): W4 = 0x80000000, W5..W14 = 0, W15 = 640.
 * The zero words drop out of W16..W31; W16/W17 and parts of W18/W19 come from the payload. */
static void block2_schedule(const struct synth__sha256d_payload *p, uint32_t w3, uint32_t w[64])
{
  w[0] = p->w[0];
  w[1] = p->w[1];
  w[2] = p->w[2];
  w[3] = w3;
  w[4] = 0x80000000u;
  for (int t = 5; t < 15; t++)
    w[t] = 0;
  w[15] = 640;
  w[16] = p->w16;
  w[17] = p->w17;
  w[18] = p->w18_base + s0(w3);
  w[19] = p->w19_base + w3;
  w[20] = s1(w[18]) + 0x80000000u;
  w[21] = s1(w[19]);
  w[22] = s1(w[20]) + 640;
  w[23] = s1(w[21]) + w[16];
  w[24] = s1(w[22]) + w[17];
  w[25] = s1(w[23]) + w[18];
  w[26] = s1(w[24]) + w[19];
  w[27] = s1(w[25]) + w[20];
  w[28] = s1(w[26]) + w[21];
  w[29] = s1(w[27]) + w[22];
  w[30] = s1(w[28]) + w[23] + s0(640u);
  w[31] = s1(w[29]) + w[24] + s0(w[16]) + 640;
  for (int t = 32; t < 64; t++)
    SCHED(w, t);
}

/* Block 3 (the first digest and padding): W8 = 0x80000000, W9..W14 = 0, W15 = 256. */
static void block3_schedule(uint32_t w[64])
{
  w[8] = 0x80000000u;
  for (int t = 9; t < 15; t++)
    w[t] = 0;
  w[15] = 256;
  w[16] = s0(w[1]) + w[0];
  w[17] = s1(256u) + s0(w[2]) + w[1];
  w[18] = s1(w[16]) + s0(w[3]) + w[2];
  w[19] = s1(w[17]) + s0(w[4]) + w[3];
  w[20] = s1(w[18]) + s0(w[5]) + w[4];
  w[21] = s1(w[19]) + s0(w[6]) + w[5];
  w[22] = s1(w[20]) + 256 + s0(w[7]) + w[6];
  w[23] = s1(w[21]) + w[16] + s0(0x80000000u) + w[7];
  w[24] = s1(w[22]) + w[17] + 0x80000000u;
  w[25] = s1(w[23]) + w[18];
  w[26] = s1(w[24]) + w[19];
  w[27] = s1(w[25]) + w[20];
  w[28] = s1(w[26]) + w[21];
  w[29] = s1(w[27]) + w[22];
  w[30] = s1(w[28]) + w[23] + s0(256u);
  w[31] = s1(w[29]) + w[24] + s0(w[16]) + 256;
  for (int t = 32; t < 61; t++)
    SCHED(w, t);
}

/* Whether the full second digest (words h[0..7], big-endian digest order) meets the target:
 * the hash is compared as a little-endian number, so digest word 7, byte-swapped, is its most
 * significant word. */
static int digest_meets(const uint32_t h[8], const uint32_t target[8])
{
  for (int i = 7; i >= 0; i--) {
    uint32_t v = synth__bswap32(h[i]);
    if (v != target[i])
      return v < target[i];
  }
  return 1;
}

int synth__sha256d_nonce_meets(const struct synth__sha256d_payload *p, uint32_t nonce)
{
  uint32_t w[64];
  uint32_t w3 = synth__bswap32(nonce); /* the header stores the nonce little-endian */
  block2_schedule(p, w3, w);

  /* State entering round 4, with rotated names so that ROUND(e, f, ...) is round 4. */
  uint32_t e = p->r4[0] + w3, f = p->r4[1], g = p->r4[2], h = p->r4[3];
  uint32_t a = p->r4[4] + w3, b = p->r4[5], c = p->r4[6], d = p->r4[7];
  ROUND(e, f, g, h, a, b, c, d, K[4] + w[4]);
  ROUND(d, e, f, g, h, a, b, c, K[5] + w[5]);
  ROUND(c, d, e, f, g, h, a, b, K[6] + w[6]);
  ROUND(b, c, d, e, f, g, h, a, K[7] + w[7]);
  ROUNDS8(8, w);
  ROUNDS8(16, w);
  ROUNDS8(24, w);
  ROUNDS8(32, w);
  ROUNDS8(40, w);
  ROUNDS8(48, w);
  ROUNDS8(56, w);

  /* First digest, which is the second hash's message. */
  uint32_t m[64];
  m[0] = p->midstate[0] + a;
  m[1] = p->midstate[1] + b;
  m[2] = p->midstate[2] + c;
  m[3] = p->midstate[3] + d;
  m[4] = p->midstate[4] + e;
  m[5] = p->midstate[5] + f;
  m[6] = p->midstate[6] + g;
  m[7] = p->midstate[7] + h;
  block3_schedule(m);

  const uint32_t *iv = synth__sha256_iv;
  a = iv[0], b = iv[1], c = iv[2], d = iv[3], e = iv[4], f = iv[5], g = iv[6], h = iv[7];
  ROUNDS8(0, m);
  ROUNDS8(8, m);
  ROUNDS8(16, m);
  ROUNDS8(24, m);
  ROUNDS8(32, m);
  ROUNDS8(40, m);
  ROUNDS8(48, m);
  ROUND(a, b, c, d, e, f, g, h, K[56] + m[56]);
  ROUND(h, a, b, c, d, e, f, g, K[57] + m[57]);
  ROUND(g, h, a, b, c, d, e, f, K[58] + m[58]);
  ROUND(f, g, h, a, b, c, d, e, K[59] + m[59]);
  ROUND(e, f, g, h, a, b, c, d, K[60] + m[60]);
  /* Round 60 wrote its new e into h, and that value ends up as the final H7 (it shifts
   * e -> f -> g -> h over rounds 61..63). Its byte-swap is the hash's top word: decide
   * here for all but about one nonce in 2^32 / (target's top word + 1). */
  if (synth__bswap32(iv[7] + h) > p->target[7])
    return 0;

  for (int t = 61; t < 64; t++)
    SCHED(m, t);
  ROUND(d, e, f, g, h, a, b, c, K[61] + m[61]);
  ROUND(c, d, e, f, g, h, a, b, K[62] + m[62]);
  ROUND(b, c, d, e, f, g, h, a, K[63] + m[63]);
  uint32_t out[8] = {iv[0] + a, iv[1] + b, iv[2] + c, iv[3] + d,
                     iv[4] + e, iv[5] + f, iv[6] + g, iv[7] + h};
  return digest_meets(out, p->target);
}

uint32_t synth__sha256d_scan_generic(const void *payload, uint32_t nonce_start, uint32_t count,
                                     struct synth_scan_ctl *ctl)
{
  const struct synth__sha256d_payload *p = payload;
  uint32_t done = 0;
  while (done < count) {
    if (synth__scan_should_stop(ctl))
      break;
    uint32_t chunk = count - done < SYNTH_SCAN_POLL_NONCES ? count - done : SYNTH_SCAN_POLL_NONCES;
    for (uint32_t i = 0; i < chunk; i++) {
      uint32_t nonce = nonce_start + done + i;
      if (synth__sha256d_nonce_meets(p, nonce))
        synth__scan_report(ctl, nonce);
    }
    done += chunk;
  }
  return done;
}
