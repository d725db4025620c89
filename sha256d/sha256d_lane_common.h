/* sha256d_lane_common.h: what the lane templates share: the sigmas, the per-scan constants and
 * the nonce-dependent heads of both message schedules. */
/*
 * Not a normal header: sha256d_lanes.h (one group of lanes) and sha256d_groups.h (groups
 * interleaved) include it once the includer has defined the vector type and operations that
 * sha256d_lanes.h lists.
 */
#include "precompute/sha256.h"
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"

/* clang-format off */
#define LS0(x) VXOR3(VROTR(x, 2), VROTR(x, 13), VROTR(x, 22))
#define LS1(x) VXOR3(VROTR(x, 6), VROTR(x, 11), VROTR(x, 25))
#define Ls0(x) VXOR3(VROTR(x, 7), VROTR(x, 18), VSHR(x, 3))
#define Ls1(x) VXOR3(VROTR(x, 17), VROTR(x, 19), VSHR(x, 10))

#define LSCHED(w, t)                                                    \
  ((w)[t] = VADD(VADD(Ls1((w)[(t) - 2]), (w)[(t) - 7]),                 \
                 VADD(Ls0((w)[(t) - 15]), (w)[(t) - 16])))
/* clang-format on */

/* Per scan call: everything that is the same for every lane and every nonce. */
struct lane_consts {
  vec r4[8];   /* round-4 state; a and e still lack + W3 */
  vec kw2[18]; /* block 2: K[t] + W[t] for the constant words t = 4..17 */
  vec w16, w17, w18_base, w19_base;
  vec s0w16_640; /* sigma0(W16) + 640, both of W31's constant terms */
  vec mid[8];
  vec iv[8];
  vec kw3[16]; /* block 3: K[t] + W[t] for the padding words t = 8..15 */
  vec k[64];
  vec t7;
};

static void lane_consts_init(struct lane_consts *c, const struct synth__sha256d_payload *p)
{
  static const uint32_t w2[16] = {0, 0, 0, 0, 0x80000000u, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 640};
  static const uint32_t w3[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0x80000000u, 0, 0, 0, 0, 0, 0, 256};
  for (int i = 0; i < 8; i++) {
    c->r4[i] = VSET1(p->r4[i]);
    c->mid[i] = VSET1(p->midstate[i]);
    c->iv[i] = VSET1(synth__sha256_iv[i]);
  }
  for (int t = 4; t < 16; t++)
    c->kw2[t] = VSET1(synth__sha256_k[t] + w2[t]);
  c->kw2[16] = VSET1(synth__sha256_k[16] + p->w16);
  c->kw2[17] = VSET1(synth__sha256_k[17] + p->w17);
  for (int t = 8; t < 16; t++)
    c->kw3[t] = VSET1(synth__sha256_k[t] + w3[t]);
  for (int t = 0; t < 64; t++)
    c->k[t] = VSET1(synth__sha256_k[t]);
  c->w16 = VSET1(p->w16);
  c->w17 = VSET1(p->w17);
  c->w18_base = VSET1(p->w18_base);
  c->w19_base = VSET1(p->w19_base);
  c->s0w16_640 = VSET1(SYNTH_SHA_SSIG0(p->w16) + 640u);
  c->t7 = VSET1(p->target[7]);
}

/* Schedule words 25..29 of either block: words 9..14, their W[t - 15] and W[t - 16], are zero
 * padding in both. */
static inline void lane_words_25_29(vec *w)
{
  _Pragma("GCC unroll 5") for (int t = 25; t < 30; t++) w[t] = VADD(Ls1(w[t - 2]), w[t - 7]);
}

/* Block 2's schedule words 16..31 into w: only W3 varies, and the zero words drop out (see the
 * generic core). */
static inline void lane_w_head(const struct lane_consts *lc, vec w3, vec *w)
{
  w[16] = lc->w16;
  w[17] = lc->w17;
  w[18] = VADD(lc->w18_base, Ls0(w3));
  w[19] = VADD(lc->w19_base, w3);
  w[20] = VADD(Ls1(w[18]), VSET1(0x80000000u));
  w[21] = Ls1(w[19]);
  w[22] = VADD(Ls1(w[20]), VSET1(640));
  w[23] = VADD(Ls1(w[21]), w[16]);
  w[24] = VADD(Ls1(w[22]), w[17]);
  lane_words_25_29(w);
  w[30] = VADD(VADD(Ls1(w[28]), w[23]), VSET1(SYNTH_SHA_SSIG0(640u)));
  w[31] = VADD(VADD(Ls1(w[29]), w[24]), lc->s0w16_640);
}

/* Block 3's schedule words 16..31 into m from its words 0..7 (the first digest); words 8..15
 * are the padding, folded in as constants. */
static inline void lane_m_head(vec *m)
{
  m[16] = VADD(Ls0(m[1]), m[0]);
  m[17] = VADD(VADD(VSET1(SYNTH_SHA_SSIG1(256u)), Ls0(m[2])), m[1]);
  m[18] = VADD(VADD(Ls1(m[16]), Ls0(m[3])), m[2]);
  m[19] = VADD(VADD(Ls1(m[17]), Ls0(m[4])), m[3]);
  m[20] = VADD(VADD(Ls1(m[18]), Ls0(m[5])), m[4]);
  m[21] = VADD(VADD(Ls1(m[19]), Ls0(m[6])), m[5]);
  m[22] = VADD(VADD(Ls1(m[20]), VSET1(256)), VADD(Ls0(m[7]), m[6]));
  m[23] = VADD(VADD(Ls1(m[21]), m[16]), VADD(VSET1(SYNTH_SHA_SSIG0(0x80000000u)), m[7]));
  m[24] = VADD(VADD(Ls1(m[22]), m[17]), VSET1(0x80000000u));
  lane_words_25_29(m);
  m[30] = VADD(VADD(Ls1(m[28]), m[23]), VSET1(SYNTH_SHA_SSIG0(256u)));
  m[31] = VADD(VADD(Ls1(m[29]), m[24]), VADD(Ls0(m[16]), VSET1(256)));
}
