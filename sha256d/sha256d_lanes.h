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
#include "sha256d/sha256d_cores.h"
#include "precompute/sha256.h"
#include "sha256d/sha256d_payload.h"

/* clang-format off */
#define LS0(x) VXOR3(VROTR(x, 2), VROTR(x, 13), VROTR(x, 22))
#define LS1(x) VXOR3(VROTR(x, 6), VROTR(x, 11), VROTR(x, 25))
#define Ls0(x) VXOR3(VROTR(x, 7), VROTR(x, 18), VSHR(x, 3))
#define Ls1(x) VXOR3(VROTR(x, 17), VROTR(x, 19), VSHR(x, 10))

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

#define LSCHED(w, t)                                                    \
  ((w)[t] = VADD(VADD(Ls1((w)[(t) - 2]), (w)[(t) - 7]),                 \
                 VADD(Ls0((w)[(t) - 15]), (w)[(t) - 16])))
/* clang-format on */

/* Per scan call: everything that is the same for every lane and every nonce. */
struct lane_consts {
  vec r4[8];   /* round-4 state; a and e still lack + W3 */
  vec kw2[64]; /* block 2: K[t] + W[t] for the constant words t = 4..17 */
  vec w16, w17, w18_base, w19_base;
  vec mid[8];
  vec iv[8];
  vec kw3[64]; /* block 3: K[t] + W[t] for the padding words t = 8..15 */
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
  c->t7 = VSET1(p->target[7]);
}

/* K[t] + W[t] of block 2 (constant words first) and of block 3 (constant padding words). */
#define KW2(t) ((t) < 18 ? lc->kw2[t] : VADD(lc->k[t], w[t]))
#define KW3(t) ((t) < 8 || (t) >= 16 ? VADD(lc->k[t], m[t]) : lc->kw3[t])

/* LANES nonces whose block-2 word 3 (the byte-swapped nonce) is w3: returns the lanes that may
 * meet the target. */
static inline unsigned lanes_hash(const struct lane_consts *lc, vec w3 LANE_HOOK_PARAMS)
{
  vec w[64];
  /* Block 2's schedule: only W3 varies, and the zero words drop out (see the generic core). */
  w[16] = lc->w16;
  w[17] = lc->w17;
  w[18] = VADD(lc->w18_base, Ls0(w3));
  w[19] = VADD(lc->w19_base, w3);
  w[20] = VADD(Ls1(w[18]), VSET1(0x80000000u));
  w[21] = Ls1(w[19]);
  w[22] = VADD(Ls1(w[20]), VSET1(640));
  w[23] = VADD(Ls1(w[21]), w[16]);
  w[24] = VADD(Ls1(w[22]), w[17]);
  w[25] = VADD(Ls1(w[23]), w[18]);
  w[26] = VADD(Ls1(w[24]), w[19]);
  w[27] = VADD(Ls1(w[25]), w[20]);
  w[28] = VADD(Ls1(w[26]), w[21]);
  w[29] = VADD(Ls1(w[27]), w[22]);
  w[30] = VADD(VADD(Ls1(w[28]), w[23]), VSET1(SYNTH_SHA_SSIG0(640u)));
  w[31] = VADD(VADD(Ls1(w[29]), w[24]), VADD(Ls0(w[16]), VSET1(640)));
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
  m[16] = VADD(Ls0(m[1]), m[0]);
  m[17] = VADD(VADD(VSET1(SYNTH_SHA_SSIG1(256u)), Ls0(m[2])), m[1]);
  m[18] = VADD(VADD(Ls1(m[16]), Ls0(m[3])), m[2]);
  m[19] = VADD(VADD(Ls1(m[17]), Ls0(m[4])), m[3]);
  m[20] = VADD(VADD(Ls1(m[18]), Ls0(m[5])), m[4]);
  m[21] = VADD(VADD(Ls1(m[19]), Ls0(m[6])), m[5]);
  m[22] = VADD(VADD(Ls1(m[20]), VSET1(256)), VADD(Ls0(m[7]), m[6]));
  m[23] = VADD(VADD(Ls1(m[21]), m[16]), VADD(VSET1(SYNTH_SHA_SSIG0(0x80000000u)), m[7]));
  m[24] = VADD(VADD(Ls1(m[22]), m[17]), VSET1(0x80000000u));
  m[25] = VADD(Ls1(m[23]), m[18]);
  m[26] = VADD(Ls1(m[24]), m[19]);
  m[27] = VADD(Ls1(m[25]), m[20]);
  m[28] = VADD(Ls1(m[26]), m[21]);
  m[29] = VADD(Ls1(m[27]), m[22]);
  m[30] = VADD(VADD(Ls1(m[28]), m[23]), VSET1(SYNTH_SHA_SSIG0(256u)));
  m[31] = VADD(VADD(Ls1(m[29]), m[24]), VADD(Ls0(m[16]), VSET1(256)));
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

#ifdef LANE_HYBRID
#define STEP_NONCES (LANES + SHANI_STREAMS)
#define STEP_ARGS , &hconsts, &hstate
#else
#define STEP_NONCES LANES
#define STEP_ARGS
#endif

/* One loop step: the nonces from base, the lanes first, then any SHA-NI streams. */
static inline uint64_t step_hash(const struct lane_consts *lc, vec lane,
                                 uint32_t base LANE_HOOK_PARAMS)
{
#ifdef LANE_HYBRID
  shani_start(hc, hs, base + LANES);
  uint64_t mask = lanes_hash(lc, VBSWAP(VADD(VSET1(base), lane)), hc, hs);
  return mask | (uint64_t)shani_finish(hc, hs) << LANES;
#else
  return lanes_hash(lc, VBSWAP(VADD(VSET1(base), lane)));
#endif
}

uint32_t SCAN_FN(const void *payload, uint32_t nonce_start, uint32_t count,
                 struct synth_scan_ctl *ctl)
{
  const struct synth__sha256d_payload *p = payload;
  struct lane_consts lc;
  lane_consts_init(&lc, p);
#ifdef LANE_HYBRID
  struct shani_consts hconsts;
  struct shani_state hstate;
  shani_consts_init(&hconsts, p);
#endif
  const vec lane = VLANE_INDEX;
  /* Chunks between looks at the restart flag: a whole number of steps. */
  const uint32_t poll = SYNTH_SCAN_POLL_NONCES / STEP_NONCES * STEP_NONCES;
  uint32_t done = 0;
  while (done < count && !synth__scan_should_stop(ctl)) {
    uint32_t chunk = count - done < poll ? count - done : poll;
    for (uint32_t i = 0; i < chunk; i += STEP_NONCES) {
      uint32_t base = nonce_start + done + i;
      uint64_t mask = step_hash(&lc, lane, base STEP_ARGS);
      if (chunk - i < STEP_NONCES)
        mask &= (1ull << (chunk - i)) - 1; /* lanes past the range hashed nonces not asked for */
      while (mask) {
        uint32_t nonce = base + (uint32_t)__builtin_ctzll(mask);
        mask &= mask - 1;
        if (synth__sha256d_nonce_meets(p, nonce))
          synth__scan_report(ctl, nonce);
      }
    }
    done += chunk;
  }
  return done;
}

#undef STEP_ARGS
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
