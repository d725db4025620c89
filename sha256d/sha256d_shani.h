/* sha256d_shani.h: SHA-256d on the SHA extensions as 30 four-round steps, for cores to drive. */
/*
 * Included by the SHA-NI core, which runs the steps back to back, and by the hybrid cores,
 * which run one step between each four rounds of their vector lanes so that both execution
 * resources work at once. The including file enables the "sha" and "sse4.1" targets.
 *
 * sha256rnds2 does two rounds but takes several cycles before its result is usable, so one
 * nonce alone leaves the unit idle; SHANI_STREAMS independent nonces advance in lockstep.
 * Register layout used by the instructions: "abef" holds words A, B, E, F in lanes 3..0 and
 * "cdgh" holds C, D, G, H. Message vectors hold W[t..t+3] in lanes 0..3.
 */
#include <immintrin.h>

#include "precompute/sha256.h"
#include "sha256d/sha256d_payload.h"

#ifndef SHANI_STREAMS
#define SHANI_STREAMS 4
#endif
#define SHANI_STEPS 30

/* Per scan call: what is the same for every nonce. */
struct shani_consts {
  __m128i abef4, cdgh4; /* block 2 entering round 4, a and e without + W3 */
  __m128i m0_base;      /* W0, W1, W2, (W3 inserted per nonce) */
  __m128i m1, m2, m3;   /* W4..W15: padding and length */
  __m128i wk2[4];       /* K + W of rounds 4-7, 8-11, 12-15 (index 1..3) */
  __m128i mid_lo, mid_hi;
  __m128i iv_abef, iv_cdgh;
  __m128i m2_b3, m3_b3; /* block 3's W8..W15 */
  __m128i wk3[4];       /* block 3: K + W of rounds 8-11, 12-15 (index 2..3) */
  __m128i k[16];        /* K[4g .. 4g+3] */
  uint32_t t7;
};

/* The streams in flight. */
struct shani_state {
  __m128i abef[SHANI_STREAMS], cdgh[SHANI_STREAMS], m[SHANI_STREAMS][4];
};

static inline void shani_consts_init(struct shani_consts *c, const struct synth__sha256d_payload *p)
{
  const uint32_t *r = p->r4, *iv = synth__sha256_iv;
  c->abef4 = _mm_set_epi32((int)r[0], (int)r[1], (int)r[4], (int)r[5]);
  c->cdgh4 = _mm_set_epi32((int)r[2], (int)r[3], (int)r[6], (int)r[7]);
  c->m0_base = _mm_set_epi32(0, (int)p->w[2], (int)p->w[1], (int)p->w[0]);
  c->m1 = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
  c->m2 = _mm_setzero_si128();
  c->m3 = _mm_set_epi32(640, 0, 0, 0);
  for (int g = 0; g < 16; g++)
    c->k[g] = _mm_loadu_si128((const void *)&synth__sha256_k[4 * g]);
  c->wk2[0] = c->k[0]; /* unused: rounds 0..3 are in the payload */
  c->wk2[1] = _mm_add_epi32(c->k[1], c->m1);
  c->wk2[2] = _mm_add_epi32(c->k[2], c->m2);
  c->wk2[3] = _mm_add_epi32(c->k[3], c->m3);
  c->mid_lo = _mm_loadu_si128((const void *)&p->midstate[0]);
  c->mid_hi = _mm_loadu_si128((const void *)&p->midstate[4]);
  c->iv_abef = _mm_set_epi32((int)iv[0], (int)iv[1], (int)iv[4], (int)iv[5]);
  c->iv_cdgh = _mm_set_epi32((int)iv[2], (int)iv[3], (int)iv[6], (int)iv[7]);
  c->m2_b3 = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
  c->m3_b3 = _mm_set_epi32(256, 0, 0, 0);
  c->wk3[0] = c->wk3[1] = c->k[0]; /* unused: rounds 0..7 use the digest words */
  c->wk3[2] = _mm_add_epi32(c->k[2], c->m2_b3);
  c->wk3[3] = _mm_add_epi32(c->k[3], c->m3_b3);
  c->t7 = p->target[7];
}

/* Four rounds: after them abef and cdgh hold the new state in the same layout. */
static inline void shani_rounds4(__m128i *abef, __m128i *cdgh, __m128i wk)
{
  *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk); /* now the state's ABEF */
  *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0e));
}

/* W[t..t+3] from W[t-16..t-13], W[t-12..t-9], W[t-8..t-5], W[t-4..t-1]. */
static inline __m128i shani_schedule4(__m128i w0, __m128i w1, __m128i w2, __m128i w3)
{
  __m128i x = _mm_sha256msg1_epu32(w0, w1);         /* + s0 terms */
  x = _mm_add_epi32(x, _mm_alignr_epi8(w3, w2, 4)); /* + W[t-7..t-4] */
  return _mm_sha256msg2_epu32(x, w3);               /* + s1 terms */
}

/* Each loop over streams is unrolled, so the instructions of the streams interleave. */
#define SHANI_EACH(s) _Pragma("GCC unroll 8") for (int s = 0; s < SHANI_STREAMS; s++)

/* Streams for the consecutive nonces from first, entering block 2's round 4. */
static inline void shani_start(const struct shani_consts *c, struct shani_state *st, uint32_t first)
{
  SHANI_EACH(s)
  {
    int w3 = (int)synth__bswap32(first + (uint32_t)s);
    st->abef[s] = _mm_add_epi32(c->abef4, _mm_set_epi32(w3, 0, w3, 0)); /* a, e get + W3 */
    st->cdgh[s] = c->cdgh4;
    st->m[s][0] = _mm_insert_epi32(c->m0_base, w3, 3);
    st->m[s][1] = c->m1;
    st->m[s][2] = c->m2;
    st->m[s][3] = c->m3;
  }
}

/* Group g (rounds 4g..4g+3) of a block whose words 16.. come from the schedule. */
static inline void shani_group(const struct shani_consts *c, struct shani_state *st, int g)
{
  SHANI_EACH(s)
  {
    __m128i *m = st->m[s];
    m[g % 4] = shani_schedule4(m[g % 4], m[(g + 1) % 4], m[(g + 2) % 4], m[(g + 3) % 4]);
    shani_rounds4(&st->abef[s], &st->cdgh[s], _mm_add_epi32(m[g % 4], c->k[g]));
  }
}

/* Block 2 is done: its digest becomes block 3's message, the state starts from the IV. */
static inline void shani_to_block3(const struct shani_consts *c, struct shani_state *st)
{
  SHANI_EACH(s)
  {
    __m128i feba = _mm_shuffle_epi32(st->abef[s], 0x1b); /* lanes 0..3: A B E F */
    __m128i hgdc = _mm_shuffle_epi32(st->cdgh[s], 0xb1); /* lanes 0..3: G H C D */
    st->m[s][0] = _mm_add_epi32(_mm_blend_epi16(feba, hgdc, 0xf0), c->mid_lo); /* A B C D */
    st->m[s][1] = _mm_add_epi32(_mm_alignr_epi8(hgdc, feba, 8), c->mid_hi);    /* E F G H */
    st->m[s][2] = c->m2_b3;
    st->m[s][3] = c->m3_b3;
    st->abef[s] = c->iv_abef;
    st->cdgh[s] = c->iv_cdgh;
  }
}

/*
 * Step k of SHANI_STEPS, four rounds each: block 2's groups 1..15 (k = 0..14), then block 3's
 * groups 0..14 (k = 15..29). k is a constant wherever this is inlined, so the branches fold.
 */
static inline void shani_step(const struct shani_consts *c, struct shani_state *st, int k)
{
  if (k < 3) { /* block 2, rounds 4..15: constant words */
    SHANI_EACH(s) shani_rounds4(&st->abef[s], &st->cdgh[s], c->wk2[k + 1]);
  } else if (k < 15) {
    shani_group(c, st, k + 1);
  } else {
    int g = k - 15;
    if (g == 0)
      shani_to_block3(c, st);
    if (g < 2) { /* the digest words */
      SHANI_EACH(s)
      shani_rounds4(&st->abef[s], &st->cdgh[s], _mm_add_epi32(st->m[s][g], c->k[g]));
    } else if (g < 4) { /* padding */
      SHANI_EACH(s) shani_rounds4(&st->abef[s], &st->cdgh[s], c->wk3[g]);
    } else {
      shani_group(c, st, g);
    }
  }
}

/* Rounds 60 and 61 of block 3, then the early decision: lane 0 (F) of the state after round 61
 * is round 60's e, which becomes H7, the hash's most significant word. Returns the streams
 * that may meet the target. */
static inline unsigned shani_finish(const struct shani_consts *c, struct shani_state *st)
{
  unsigned mask = 0;
  SHANI_EACH(s)
  {
    __m128i *m = st->m[s];
    m[3] = shani_schedule4(m[3], m[0], m[1], m[2]);
    __m128i abef62 = _mm_sha256rnds2_epu32(st->cdgh[s], st->abef[s], _mm_add_epi32(m[3], c->k[15]));
    uint32_t h7 = synth__sha256_iv[7] + (uint32_t)_mm_cvtsi128_si32(abef62);
    if (synth__bswap32(h7) <= c->t7)
      mask |= 1u << s;
  }
  return mask;
}
