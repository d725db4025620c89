/* sha256d_groups.h: the SHA-256d lane scan with GROUPS vectors of nonces interleaved and the
 * rounds in rolled chunks of eight, as a template over a vector ISA. */
/*
 * Not a normal header: the includer defines what sha256d_lanes.h lists (LANES, vec, SCAN_FN
 * and the vector operations) and GROUPS; each step hashes GROUPS * LANES nonces (at most 64).
 *
 * Why groups: where vector integer operations take two cycles and four issue a cycle (Zen 5),
 * one vector's rounds are a dependency chain that leaves most issue slots empty; independent
 * groups fill them. Why rolled: fully unrolled, two groups pass the ~36 KB past which such a
 * core's front end slows down. Eight rounds bring every state word back to its slot, so a loop
 * repeats a chunk of eight; the message schedule runs between chunks into a K + W buffer that
 * the rounds read.
 *
 * Fewer operations than sha256d_lanes.h besides: each round's h + K + W is formed a round
 * early, before Ch reads g for the last time, so a three-input Ch that overwrites its first
 * input (g, see sha256d_vec_avx512.h) needs no copy; block 3's round 0, whose state is the IV,
 * is two adds; rounds whose h is a constant of the scan (block 2's 4..6, block 3's 1..3) take
 * h + K (+ W) as one constant; H7's IV word is added to K60.
 */
#include <string.h>

#include "sha256d/sha256d_lane_common.h"

/* What the steps of one scan share. */
struct step_ctx {
  struct lane_consts lc;
  vec lane;
  vec hk2[3];   /* block 2, rounds 4..6: h + K + W, all constants of the scan */
  vec b3a, b3e; /* block 3 after round 0, less W0 */
  vec hk3[3];   /* block 3, rounds 1..3: h + K (h is an IV word); W is added per nonce */
  vec k60;      /* K60 + IV7: round 60's new e is then H7 */
  /* K + W of each round, per group: the constant words' filled once (block 2: 7..17, block 3:
   * 8..15), the others per step; index 64 is the "next" of block 2's last round, never used. */
  vec kw2[GROUPS][65], kw3[GROUPS][65];
};

static void step_init(struct step_ctx *sc, const struct synth__sha256d_payload *p)
{
  const uint32_t *k = synth__sha256_k, *iv = synth__sha256_iv;
  lane_consts_init(&sc->lc, p);
  sc->lane = VLANE_INDEX;
  /* Round 4's h is r4[7], round 5's and 6's are r4[6] and r4[5]; W4 = 0x80000000, W5 = W6 = 0. */
  sc->hk2[0] = VSET1(p->r4[7] + k[4] + 0x80000000u);
  sc->hk2[1] = VSET1(p->r4[6] + k[5]);
  sc->hk2[2] = VSET1(p->r4[5] + k[6]);
  uint32_t t1 = iv[7] + SYNTH_SHA_BSIG1(iv[4]) + SYNTH_SHA_CH(iv[4], iv[5], iv[6]) + k[0];
  uint32_t t2 = SYNTH_SHA_BSIG0(iv[0]) + SYNTH_SHA_MAJ(iv[0], iv[1], iv[2]);
  sc->b3a = VSET1(t1 + t2);
  sc->b3e = VSET1(iv[3] + t1);
  for (int i = 0; i < 3; i++) /* after round 0, h is IV6, then IV5 and IV4 */
    sc->hk3[i] = VSET1(iv[6 - i] + k[1 + i]);
  sc->k60 = VSET1(k[60] + iv[7]);
  memset(sc->kw2, 0, sizeof sc->kw2);
  memset(sc->kw3, 0, sizeof sc->kw3);
  for (int g = 0; g < GROUPS; g++) {
    for (int t = 7; t < 18; t++)
      sc->kw2[g][t] = sc->lc.kw2[t];
    for (int t = 8; t < 16; t++)
      sc->kw3[g][t] = sc->lc.kw3[t];
  }
}

/* clang-format off */
#define GROUP_EACH _Pragma("GCC unroll 4") for (int G = 0; G < GROUPS; G++)
/* An empty asm the value must pass: the compiler would otherwise re-associate the next round's
 * h + K + W into that round's sum, keeping g alive past Ch (and Ch needing a copy). */
#define KEEP(x) __asm__("" : "+v"(x))
/* Where word n (0 = a .. 7 = h) of a round at rotation k is: each round moves the names by one. */
#define SLOT(k, n) (((n) - (k)) & 7)

/* One round at rotation k in every group, its h + K + W in hk[G]; next is the next round's h +
 * K + W, taken before Ch reads g for the last time. */
#define GROUP_ROUND(k, next)                                                              \
  GROUP_EACH {                                                                            \
    vec hkn_ = (next);                                                                    \
    KEEP(hkn_);                                                                           \
    vec a_ = s[G][SLOT(k, 0)], e_ = s[G][SLOT(k, 4)];                                     \
    vec t1_ = VADD(VADD(hk[G], VCH(e_, s[G][SLOT(k, 5)], s[G][SLOT(k, 6)])), LS1(e_));    \
    s[G][SLOT(k, 3)] = VADD(s[G][SLOT(k, 3)], t1_);                                       \
    vec t2_ = VADD(VMAJ(a_, s[G][SLOT(k, 1)], s[G][SLOT(k, 2)]), LS0(a_));                \
    s[G][SLOT(k, 7)] = VADD(t1_, t2_);                                                    \
    hk[G] = hkn_;                                                                         \
  }

/* n rounds from round t0 at rotation k0, each next one's h + K + W from g and kw. */
#define GROUP_ROUNDS(k0, n, t0)                                                           \
  _Pragma("GCC unroll 8") for (int r_ = 0; r_ < (n); r_++)                                 \
    GROUP_ROUND((k0) + r_, VADD(s[G][SLOT((k0) + r_, 6)], kw[G][(t0) + r_ + 1]))

/* Schedule words t0..t1-1 of every group and their K + W, rolled. */
#define GROUP_SCHEDULE(t0, t1)                                                            \
  _Pragma("GCC unroll 1") for (int t_ = (t0); t_ < (t1); t_++) GROUP_EACH {               \
    LSCHED(w[G], t_);                                                                     \
    kw[G][t_] = VADD(w[G][t_], lc->k[t_]);                                                \
  }
/* clang-format on */

/* GROUPS * LANES nonces from base: returns the ones that may meet the target. */
static inline uint64_t step_hash(struct step_ctx *sc, uint32_t base)
{
  const struct lane_consts *lc = &sc->lc;
  vec w[GROUPS][64], s[GROUPS][8], hk[GROUPS];
  vec(*kw)[65] = sc->kw2;
  GROUP_EACH
  {
    vec w3 = VBSWAP(VADD(VSET1(base + (uint32_t)(LANES * G)), sc->lane));
    lane_w_head(lc, w3, w[G]);
    for (int t = 18; t < 32; t++)
      kw[G][t] = VADD(w[G][t], lc->k[t]);
    for (int i = 0; i < 8; i++)
      s[G][i] = lc->r4[i];
    s[G][0] = VADD(s[G][0], w3);
    s[G][4] = VADD(s[G][4], w3);
    hk[G] = sc->hk2[0];
  }
  /* Block 2 from round 4 (at rotation 0): rounds 4 and 5 pass on constants for 5 and 6. */
  GROUP_SCHEDULE(32, 40);
  GROUP_ROUND(0, sc->hk2[1]);
  GROUP_ROUND(1, sc->hk2[2]);
  GROUP_ROUNDS(2, 6, 6);
  _Pragma("GCC unroll 1") for (int t = 12; t < 36; t += 8) GROUP_ROUNDS(0, 8, t);
  GROUP_SCHEDULE(40, 64);
  _Pragma("GCC unroll 1") for (int t = 36; t < 60; t += 8) GROUP_ROUNDS(0, 8, t);
  GROUP_ROUNDS(0, 4, 60);

  /* After 60 rounds a is in slot 4. The first digest is block 3's message (its schedule takes
   * block 2's place in w); round 0 is two adds, leaving the state at rotation 1. */
  kw = sc->kw3;
  GROUP_EACH
  {
    vec *m = w[G];
    for (int i = 0; i < 8; i++)
      m[i] = VADD(lc->mid[i], s[G][(i + 4) & 7]);
    lane_m_head(m);
    for (int t = 4; t < 8; t++)
      kw[G][t] = VADD(m[t], lc->k[t]);
    for (int t = 16; t < 32; t++)
      kw[G][t] = VADD(m[t], lc->k[t]);
    s[G][7] = VADD(sc->b3a, m[0]);
    s[G][3] = VADD(sc->b3e, m[0]);
    for (int i = 0; i < 3; i++) {
      s[G][i] = lc->iv[i];
      s[G][4 + i] = lc->iv[4 + i];
    }
    hk[G] = VADD(sc->hk3[0], m[1]);
  }
  GROUP_SCHEDULE(32, 40);
  GROUP_ROUND(1, VADD(sc->hk3[1], w[G][2]));
  GROUP_ROUND(2, VADD(sc->hk3[2], w[G][3]));
  GROUP_ROUNDS(3, 5, 3);
  GROUP_SCHEDULE(40, 60);
  GROUP_EACH
  { /* word 60 feeds round 60 alone */
    kw[G][60] = VADD(LSCHED(w[G], 60), sc->k60);
  }
  _Pragma("GCC unroll 1") for (int t = 8; t < 56; t += 8) GROUP_ROUNDS(0, 8, t);
  GROUP_ROUNDS(0, 5, 56);
  /* Round 60 (rotation 4) left its new e, plus IV7, in slot 7: H7, the most significant word. */
  uint64_t mask = 0;
  GROUP_EACH mask |= (uint64_t)VCANDIDATES(s[G][7], lc->t7) << (LANES * G);
  return mask;
}

#define STEP_NONCES (GROUPS * LANES)
#include "sha256d/sha256d_scan_loop.h"

#undef STEP_NONCES
#undef GROUP_EACH
#undef SLOT
#undef KEEP
#undef GROUP_ROUND
#undef GROUP_ROUNDS
#undef GROUP_SCHEDULE
#undef LSCHED
#undef LS0
#undef LS1
#undef Ls0
#undef Ls1
