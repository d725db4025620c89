/* sha256d.cl: SHA-256d proof-of-work scan for the OpenCL backend; hits only go back to the host. */
/*
 * The argument convention every synth OpenCL kernel follows (see docs/api.md):
 *   payload    the roll's precompute payload, as the host made it (here a
 *              struct synth__sha256d_payload: precompute/sha256d_payload.h)
 *   nonce_base first nonce of the launch; work-item i hashes nonces nonce_base + i * LANES + k
 *   count      nonces in the launch; work-items past it do nothing
 *   results    results[0] counts hits (atomically, past max_hits too: the host sees overflow);
 *              results[1 + j] holds hit j's nonce for j < max_hits; bit 31 of results[0] set
 *              means the launch was abandoned (below)
 *   max_hits   capacity of results after its first word
 *   abort_word host-written: the scheduler's epoch, raised at a clean job switch or a stop
 *   epoch      the launch's epoch: a work-group that finds abort_word past it hashes nothing
 *
 * The work per nonce is the CPU cores': block 2 from the precomputed round-4 state with every
 * constant message word folded, block 3 up to round 60 and the decision on the word that
 * becomes H7, then, for the rare survivor, the last three rounds and the full target compare.
 * Everything is unrolled with literal constants, so the compiler folds the IV and padding
 * rounds and drops what the H7 decision does not need.
 *
 * LANES (a build option: 1, 2, 4, 8 or 16) nonces per work-item in an OpenCL vector: a CPU
 * device (PoCL) turns the vector into SIMD instructions, a GPU takes LANES = 1.
 */


#ifndef LANES
#define LANES 1
#endif

/* BSWAP byte-swaps every lane; a byte swizzle becomes one byte-permute on a GPU. */
#if LANES == 1
typedef uint T;
#define LANE_OFFSETS 0u
#define ANY(x) (x)
#define BSWAP(x) as_uint(as_uchar4((T)(x)).s3210)
#elif LANES == 2
typedef uint2 T;
#define LANE_OFFSETS (uint2)(0, 1)
#define ANY(x) any(x)
#define VSTORE vstore2
#define BSWAP(x) as_uint2(as_uchar8((T)(x)).s32107654)
#elif LANES == 4
typedef uint4 T;
#define LANE_OFFSETS (uint4)(0, 1, 2, 3)
#define ANY(x) any(x)
#define VSTORE vstore4
#define BSWAP(x) as_uint4(as_uchar16((T)(x)).s32107654ba98fedc)
#elif LANES == 8
typedef uint8 T;
#define LANE_OFFSETS (uint8)(0, 1, 2, 3, 4, 5, 6, 7)
#define ANY(x) any(x)
#define VSTORE vstore8
#elif LANES == 16
typedef uint16 T;
#define LANE_OFFSETS (uint16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#define ANY(x) any(x)
#define VSTORE vstore16
#else
#error "LANES must be 1, 2, 4, 8 or 16"
#endif

/* Payload layout, in uints (precompute/sha256d_payload.h). */
#define P_MID 0
#define P_W 8
#define P_W16 11
#define P_W17 12
#define P_W18B 13
#define P_W19B 14
#define P_R4 15
#define P_TARGET 23
#define P_ONE 31

#define ROTR(x, n) rotate((x), (T)(32 - (n)))
#ifndef BSWAP /* wider vectors: no byte vector that wide, so rotate and mask */
#define BSWAP(x) ((rotate((T)(x), (T)8) & (T)0x00ff00ffu) | (rotate((T)(x), (T)24) & (T)0xff00ff00u))
#endif
#define S0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define S1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define s0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define s1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
/*
 * x + y as a multiply-add, x * one + y, where one is a 1 the compiler cannot see. On a GPU whose
 * integer pipe is the bottleneck (rotates, logic and adds all go there) the multiply-add pipe
 * sits idle. MAD_ADDS picks how many adds move: 0 none, 1 the round's d += t1, 2 also the
 * schedule's s1 term, 3 also t1's Σ1 term, 4 also the new a's Σ0 term, 5 every add of t1,
 * 6 every add of the new a, 7 every add of the schedule.
 */
#ifndef MAD_ADDS
#define MAD_ADDS 0
#endif
#define MADD(x, y) ((x) * one + (y))
#define PLUS(x, y) ((x) + (y))
#if MAD_ADDS >= 1
#define ADD_D MADD
#else
#define ADD_D PLUS
#endif
#if MAD_ADDS >= 2
#define ADD_W MADD
#else
#define ADD_W PLUS
#endif
#if MAD_ADDS >= 3
#define ADD_T1 MADD
#else
#define ADD_T1 PLUS
#endif
#if MAD_ADDS >= 4
#define ADD_A MADD
#else
#define ADD_A PLUS
#endif
#if MAD_ADDS >= 5
#define ADD_T1B MADD
#else
#define ADD_T1B PLUS
#endif
#if MAD_ADDS >= 6
#define ADD_AB MADD
#else
#define ADD_AB PLUS
#endif
#if MAD_ADDS >= 7
#define ADD_WB MADD
#else
#define ADD_WB PLUS
#endif
#define CH(e, f, g) bitselect((g), (f), (e))
#define MAJ(a, b, c) bitselect((a), (b), (a) ^ (c))

/* One round of index t with message word w; t is a constant wherever this expands, so K[t]
 * folds into an immediate. */
#define RT(a, b, c, d, e, f, g, h, t, w)                                                       \
  {                                                                                            \
    T t1 = ADD_T1(S1(e), ADD_T1B(CH(e, f, g), ADD_T1B(w, (h) + K[t])));                        \
    (d) = ADD_D(t1, d);                                                                        \
    (h) = ADD_A(S0(a), ADD_AB(MAJ(a, b, c), t1));                                              \
  }

/* Eight rounds from round i (a multiple of 8). */
#define ROUNDS8(i, w)                                                                          \
  RT(a, b, c, d, e, f, g, h, (i) + 0, w[(i) + 0]);                                             \
  RT(h, a, b, c, d, e, f, g, (i) + 1, w[(i) + 1]);                                             \
  RT(g, h, a, b, c, d, e, f, (i) + 2, w[(i) + 2]);                                             \
  RT(f, g, h, a, b, c, d, e, (i) + 3, w[(i) + 3]);                                             \
  RT(e, f, g, h, a, b, c, d, (i) + 4, w[(i) + 4]);                                             \
  RT(d, e, f, g, h, a, b, c, (i) + 5, w[(i) + 5]);                                             \
  RT(c, d, e, f, g, h, a, b, (i) + 6, w[(i) + 6]);                                             \
  RT(b, c, d, e, f, g, h, a, (i) + 7, w[(i) + 7]);

#define SCHED(w, t)                                                                            \
  w[t] = ADD_W(s1(w[(t) - 2]), ADD_WB(s0(w[(t) - 15]), ADD_WB(w[(t) - 7], w[(t) - 16])))

/* A round whose message word is scheduled just before it: only a window of 16 words is ever
 * live, which keeps a GPU thread's registers few and its occupancy high. */
#define RS(a, b, c, d, e, f, g, h, t, w)                                                       \
  SCHED(w, t);                                                                                 \
  RT(a, b, c, d, e, f, g, h, t, w[t]);

#define ROUNDS8S(i, w)                                                                         \
  RS(a, b, c, d, e, f, g, h, (i) + 0, w);                                                      \
  RS(h, a, b, c, d, e, f, g, (i) + 1, w);                                                      \
  RS(g, h, a, b, c, d, e, f, (i) + 2, w);                                                      \
  RS(f, g, h, a, b, c, d, e, (i) + 3, w);                                                      \
  RS(e, f, g, h, a, b, c, d, (i) + 4, w);                                                      \
  RS(d, e, f, g, h, a, b, c, (i) + 5, w);                                                      \
  RS(c, d, e, f, g, h, a, b, (i) + 6, w);                                                      \
  RS(b, c, d, e, f, g, h, a, (i) + 7, w);

#define K synth_sha256_k /* the prelude's table (kernels/synth_prelude.cl) */

#define IV0 0x6a09e667u
#define IV1 0xbb67ae85u
#define IV2 0x3c6ef372u
#define IV3 0xa54ff53au
#define IV4 0x510e527fu
#define IV5 0x9b05688cu
#define IV6 0x1f83d9abu
#define IV7 0x5be0cd19u

/*
 * SHA-256d of the nonces whose block-2 word 3 (the byte-swapped nonce) is w3, as far as the
 * hash's most significant word: returns it (byte-swapped to a number). With digest, the last
 * three rounds run too and the whole second digest is stored there, for the rare nonce whose
 * top word equals the target's.
 */
static T sha256d_top(__constant const uint *p, const T w3, T *digest)
{
  const T one = p[P_ONE];
  (void)one; /* only the MAD_ADDS variants use it */
  T w[64];
  /* Block 2: only W3 varies. W4 = 0x80000000, W5..W14 = 0, W15 = 640. */
  w[0] = p[P_W + 0];
  w[1] = p[P_W + 1];
  w[2] = p[P_W + 2];
  w[3] = w3;
  w[4] = 0x80000000u;
  w[5] = 0;
  w[6] = 0;
  w[7] = 0;
  w[8] = 0;
  w[9] = 0;
  w[10] = 0;
  w[11] = 0;
  w[12] = 0;
  w[13] = 0;
  w[14] = 0;
  w[15] = 640;
  w[16] = p[P_W16];
  w[17] = p[P_W17];
  w[18] = p[P_W18B] + s0(w3);
  w[19] = p[P_W19B] + w3;

  /* Names rotated so that RT(e, f, ...) is round 4. */
  T e = p[P_R4 + 0] + w3, f = p[P_R4 + 1], g = p[P_R4 + 2], h = p[P_R4 + 3];
  T a = p[P_R4 + 4] + w3, b = p[P_R4 + 5], c = p[P_R4 + 6], d = p[P_R4 + 7];
  RT(e, f, g, h, a, b, c, d, 4, w[4]);
  RT(d, e, f, g, h, a, b, c, 5, w[5]);
  RT(c, d, e, f, g, h, a, b, 6, w[6]);
  RT(b, c, d, e, f, g, h, a, 7, w[7]);
  ROUNDS8(8, w);
  RT(a, b, c, d, e, f, g, h, 16, w[16]);
  RT(h, a, b, c, d, e, f, g, 17, w[17]);
  RT(g, h, a, b, c, d, e, f, 18, w[18]);
  RT(f, g, h, a, b, c, d, e, 19, w[19]);
  RS(e, f, g, h, a, b, c, d, 20, w);
  RS(d, e, f, g, h, a, b, c, 21, w);
  RS(c, d, e, f, g, h, a, b, 22, w);
  RS(b, c, d, e, f, g, h, a, 23, w);
  ROUNDS8S(24, w);
  ROUNDS8S(32, w);
  ROUNDS8S(40, w);
  ROUNDS8S(48, w);
  ROUNDS8S(56, w);

  /* Block 3: the first digest, then padding (W8 = 0x80000000, W9..W14 = 0, W15 = 256). */
  T m[64];
  m[0] = p[P_MID + 0] + a;
  m[1] = p[P_MID + 1] + b;
  m[2] = p[P_MID + 2] + c;
  m[3] = p[P_MID + 3] + d;
  m[4] = p[P_MID + 4] + e;
  m[5] = p[P_MID + 5] + f;
  m[6] = p[P_MID + 6] + g;
  m[7] = p[P_MID + 7] + h;
  m[8] = 0x80000000u;
  m[9] = 0;
  m[10] = 0;
  m[11] = 0;
  m[12] = 0;
  m[13] = 0;
  m[14] = 0;
  m[15] = 256;

  a = IV0, b = IV1, c = IV2, d = IV3, e = IV4, f = IV5, g = IV6, h = IV7;
  ROUNDS8(0, m);
  ROUNDS8(8, m);
  ROUNDS8S(16, m);
  ROUNDS8S(24, m);
  ROUNDS8S(32, m);
  ROUNDS8S(40, m);
  ROUNDS8S(48, m);
  RS(a, b, c, d, e, f, g, h, 56, m);
  RS(h, a, b, c, d, e, f, g, 57, m);
  RS(g, h, a, b, c, d, e, f, 58, m);
  RS(f, g, h, a, b, c, d, e, 59, m);
  RS(e, f, g, h, a, b, c, d, 60, m);
  /* Round 60 left its new e in h: it becomes H7, the hash's most significant word. */
  T top = BSWAP(IV7 + h);
  if (digest) {
    RS(d, e, f, g, h, a, b, c, 61, m);
    RS(c, d, e, f, g, h, a, b, 62, m);
    RS(b, c, d, e, f, g, h, a, 63, m);
    digest[0] = IV0 + a;
    digest[1] = IV1 + b;
    digest[2] = IV2 + c;
    digest[3] = IV3 + d;
    digest[4] = IV4 + e;
    digest[5] = IV5 + f;
    digest[6] = IV6 + g;
    digest[7] = IV7 + h;
  }
  return top;
}

/* Lane k of a vector. */
static uint lane(T v, int k)
{
  uint l[LANES];
#if LANES == 1
  l[0] = v;
#else
  VSTORE(v, 0, l);
#endif
  return l[k];
}

/* The rare nonce whose top word equals the target's: the lower words decide. */
static bool meets_fully(__constant const uint *p, uint nonce)
{
  T digest[8];
  sha256d_top(p, (T)BSWAP((T)nonce), digest);
  for (int i = 6; i >= 0; i--) {
    uint v = lane(BSWAP(digest[i]), 0);
    if (v != p[P_TARGET + i])
      return v < p[P_TARGET + i];
  }
  return true;
}

__kernel void sha256d_scan(__constant const uint *payload, const uint nonce_base,
                           const uint count, __global uint *results, const uint max_hits,
                           volatile __global const uint *abort_word, const uint epoch)
{
  SYNTH_LEAVE_IF_ABORTED(abort_word, epoch, results);
  uint first = (uint)get_global_id(0) * LANES;
  if (first >= count)
    return;
  T nonce = (T)(nonce_base + first) + LANE_OFFSETS;
  T top = sha256d_top(payload, BSWAP(nonce), 0);
  uint t7 = payload[P_TARGET + 7];
  if (!ANY(top <= (T)t7))
    return;
  for (int k = 0; k < LANES && first + k < count; k++) {
    uint tk = lane(top, k), nk = lane(nonce, k);
    if (tk < t7 || (tk == t7 && meets_fully(payload, nk))) {
      synth_report_hit(results, max_hits, nk);
    }
  }
}
