/* sha256d_lanes.h: the SHA-256d scan over LANES nonces at once, as a template over a vector ISA. */
/*
 * Not a normal header: a file that defines the vector type and operations below, then includes
 * this one, gets a scan core named SCAN_FN for its ISA. Required from the includer:
 *
 *   LANES, vec, SCAN_FN          lane count, vector type, the core's function name
 *   VSET1(x) VADD VXOR VSHR(x,n) VROTR(x,n)      broadcast, add, xor, shift and rotate right
 *   VXOR3(a,b,c) VCH(e,f,g) VMAJ(a,b,c)          three-input xor, choose, majority
 *   VBSWAP(x)                                     byte-swap every lane
 *   VLANE_INDEX                                   {0, 1, ..., LANES - 1}
 *   VCANDIDATES(h7, t7)   bitmask of lanes where bswap(h7) <= t7 (unsigned)
 *
 * The work per lane is the portable core's, vectorized: block 2 from the round-4 state, with
 * every constant message word folded into K + W; block 3 up to round 60; the early decision on
 * the word that becomes H7. Survivors (a few per 2^32 / (target's top word + 1)) are finished
 * and compared in full by synth__sha256d_nonce_meets.
 *
 * Hybrid cores also define LANE_HYBRID and include sha256d_shani.h first: then every four
 * rounds of the lanes run one four-round step of SHANI_STREAMS more nonces on the SHA
 * extensions, so the vector units and the SHA unit work at once, and each loop step covers
 * LANES + SHANI_STREAMS nonces.
 */
#include "sha256d/sha256d_lane_common.h"

/* clang-format off */
#define LROUND(a, b, c, d, e, f, g, h, kw)                              \
  do {                                                                  \
    vec t1_ = VADD(VADD(VADD(h, LS1(e)), VCH(e, f, g)), kw);            \
    d = VADD(d, t1_);                                                   \
    h = VADD(t1_, VADD(LS0(a), VMAJ(a, b, c)));                         \
  } while (0)

#ifdef LANE_HYBRID
#define LANE_HOOK(k) shani_step(hc, hs, (k))
#define LANE_HOOK_PARAMS , const struct shani_consts *hc, struct shani_state *hs
#else
#define LANE_HOOK(k) ((void)0)
#define LANE_HOOK_PARAMS
#endif

/* Eight rounds from round i (a multiple of 8); kw(t) gives K[t] + W[t] as a vector. Hook
 * steps hk and hk + 1 run after each half. */
#define LROUNDS8(i, kw, hk)                                             \
  do {                                                                  \
    LROUND(a, b, c, d, e, f, g, h, kw((i) + 0));                        \
    LROUND(h, a, b, c, d, e, f, g, kw((i) + 1));                        \
    LROUND(g, h, a, b, c, d, e, f, kw((i) + 2));                        \
    LROUND(f, g, h, a, b, c, d, e, kw((i) + 3));                        \
    LANE_HOOK(hk);                                                      \
    LROUND(e, f, g, h, a, b, c, d, kw((i) + 4));                        \
    LROUND(d, e, f, g, h, a, b, c, kw((i) + 5));                        \
    LROUND(c, d, e, f, g, h, a, b, kw((i) + 6));                        \
    LROUND(b, c, d, e, f, g, h, a, kw((i) + 7));                        \
    LANE_HOOK((hk) + 1);                                                \
  } while (0)

/* clang-format on */

/* K[t] + W[t] of block 2 (constant words first) and of block 3 (constant padding words). */
#define KW2(t) ((t) < 18 ? lc->kw2[t] : VADD(lc->k[t], w[t]))
#define KW3(t) ((t) < 8 || (t) >= 16 ? VADD(lc->k[t], m[t]) : lc->kw3[t])

/* LANES nonces whose block-2 word 3 (the byte-swapped nonce) is w3: returns the lanes that may
 * meet the target. */
static inline unsigned lanes_hash(const struct lane_consts *lc, vec w3 LANE_HOOK_PARAMS)
{
  vec w[64];
  lane_w_head(lc, w3, w);
  for (int t = 32; t < 64; t++)
    LSCHED(w, t);

  /* Names rotated so that LROUND(e, f, ...) is round 4 (as in the generic core). */
  vec e = VADD(lc->r4[0], w3), f = lc->r4[1], g = lc->r4[2], h = lc->r4[3];
  vec a = VADD(lc->r4[4], w3), b = lc->r4[5], c = lc->r4[6], d = lc->r4[7];
  LROUND(e, f, g, h, a, b, c, d, KW2(4));
  LROUND(d, e, f, g, h, a, b, c, KW2(5));
  LROUND(c, d, e, f, g, h, a, b, KW2(6));
  LROUND(b, c, d, e, f, g, h, a, KW2(7));
  LANE_HOOK(0);
  LROUNDS8(8, KW2, 1);
  LROUNDS8(16, KW2, 3);
  LROUNDS8(24, KW2, 5);
  LROUNDS8(32, KW2, 7);
  LROUNDS8(40, KW2, 9);
  LROUNDS8(48, KW2, 11);
  LROUNDS8(56, KW2, 13);

  /* The first digest is block 3's message; its padding words are folded into kw3. */
  vec m[64];
  m[0] = VADD(lc->mid[0], a);
  m[1] = VADD(lc->mid[1], b);
  m[2] = VADD(lc->mid[2], c);
  m[3] = VADD(lc->mid[3], d);
  m[4] = VADD(lc->mid[4], e);
  m[5] = VADD(lc->mid[5], f);
  m[6] = VADD(lc->mid[6], g);
  m[7] = VADD(lc->mid[7], h);
  lane_m_head(m);
  for (int t = 32; t < 61; t++)
    LSCHED(m, t);

  a = lc->iv[0], b = lc->iv[1], c = lc->iv[2], d = lc->iv[3];
  e = lc->iv[4], f = lc->iv[5], g = lc->iv[6], h = lc->iv[7];
  LROUNDS8(0, KW3, 15);
  LROUNDS8(8, KW3, 17);
  LROUNDS8(16, KW3, 19);
  LROUNDS8(24, KW3, 21);
  LROUNDS8(32, KW3, 23);
  LROUNDS8(40, KW3, 25);
  LROUNDS8(48, KW3, 27);
  LANE_HOOK(29);
  LROUND(a, b, c, d, e, f, g, h, KW3(56));
  LROUND(h, a, b, c, d, e, f, g, KW3(57));
  LROUND(g, h, a, b, c, d, e, f, KW3(58));
  LROUND(f, g, h, a, b, c, d, e, KW3(59));
  LROUND(e, f, g, h, a, b, c, d, KW3(60));
  /* Round 60 left its new e in h: it becomes H7, the hash's most significant word. */
  return VCANDIDATES(VADD(lc->iv[7], h), lc->t7);
}

/* What the steps of one scan share: the constants, the lane offsets and any SHA-NI streams. */
struct step_ctx {
  struct lane_consts lc;
  vec lane;
#ifdef LANE_HYBRID
  struct shani_consts hc;
  struct shani_state hs;
#endif
};

static void step_init(struct step_ctx *sc, const struct synth__sha256d_payload *p)
{
  lane_consts_init(&sc->lc, p);
  sc->lane = VLANE_INDEX;
#ifdef LANE_HYBRID
  shani_consts_init(&sc->hc, p);
#endif
}

/* One loop step: the nonces from base, the lanes first, then any SHA-NI streams. */
#ifdef LANE_HYBRID
#define STEP_NONCES (LANES + SHANI_STREAMS)
static inline uint64_t step_hash(struct step_ctx *sc, uint32_t base)
{
  shani_start(&sc->hc, &sc->hs, base + LANES);
  uint64_t mask = lanes_hash(&sc->lc, VBSWAP(VADD(VSET1(base), sc->lane)), &sc->hc, &sc->hs);
  return mask | (uint64_t)shani_finish(&sc->hc, &sc->hs) << LANES;
}
#else
#define STEP_NONCES LANES
static inline uint64_t step_hash(struct step_ctx *sc, uint32_t base)
{
  return lanes_hash(&sc->lc, VBSWAP(VADD(VSET1(base), sc->lane)));
}
#endif

#include "sha256d/sha256d_scan_loop.h"

#undef STEP_NONCES
#undef LANE_HOOK
#undef LANE_HOOK_PARAMS
#undef KW2
#undef KW3
#undef LROUND
#undef LROUNDS8
#undef LSCHED
#undef LS0
#undef LS1
#undef Ls0
#undef Ls1
