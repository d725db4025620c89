/* sha256d.comp: SHA-256d proof-of-work scan for the Vulkan backend; hits only go back to the host. */
#version 450
#extension GL_GOOGLE_include_directive : require
#include "synth_prelude.glsl" /* the interface but the payload, leave_if_aborted, report_hit */

/*
 * The interface every synth Vulkan kernel follows (see docs/architecture.md):
 *   set 0, binding 0  uniform buffer: the roll's precompute payload, as the host made it
 *                     (here a struct synth__sha256d_payload: precompute/sha256d_payload.h)
 *   set 0, binding 1  storage buffer: count, then hit nonces; count is bumped atomically for
 *                     every hit, past max_hits too, so the host sees an overflow; bit 31 of
 *                     count set means the launch was abandoned (below)
 *   set 0, binding 2  storage buffer, host-visible: the scheduler's epoch, written by the host
 *                     at a clean job switch or a stop; a workgroup that starts after it
 *                     passed the launch's epoch hashes nothing and sets count's bit 31, so a
 *                     launch queued behind a switch ends at once instead of running old work
 *   push constants    nonce_base, count, max_hits, epoch
 *   constant_id 0     workgroup size
 *   constant_id 1     nonces per invocation
 *   constant_id 2     the kernel's own tuning knob (here MAD_ADDS, below)
 * The dispatch may be two-dimensional when one dimension cannot hold every workgroup.
 *
 * The work per nonce is the OpenCL kernel's (kernels/sha256d.cl): block 2 from the precomputed
 * round-4 state with every constant message word folded, block 3 up to round 60 and the
 * decision on the word that becomes H7, then for the rare survivor the last three rounds and
 * the full target compare. 32-bit integer arithmetic only.
 */

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint NONCES = 1;
/*
 * x + y as a multiply-add, x * one + y, with one a 1 read from the payload that the compiler
 * cannot see. A GPU whose integer pipe is the bottleneck (rotates, logic and adds all go
 * there) has its multiply-add pipe idle. MAD_ADDS picks how many adds move: 0 none, 1 the
 * round's d += t1, 2 also the schedule's s1 term, 3 also t1's S1 term, 4 also the new a's S0
 * term, 5 every add of t1, 6 every add of the new a, 7 every add of the schedule.
 */
layout(constant_id = 2) const uint MAD_ADDS = 0;

layout(std140, set = 0, binding = 0) uniform Payload
{
  uvec4 words[13];
} payload;


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
#define P(i) payload.words[(i) >> 2][(i) & 3]

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSWAP(x) (((x) << 24) | (((x) << 8) & 0x00ff0000u) | (((x) >> 8) & 0x0000ff00u) | ((x) >> 24))
#define S0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define S1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define s0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define s1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* x + y, as a multiply-add when the factor is one; a literal 1 folds back into a plain add.
 * MAD_ADDS is constant once the pipeline is made, so every factor is known to the compiler. */
#define ADD(factor, x, y) ((x) * (factor) + (y))

#define K synth_sha256_k /* the prelude's table */

/* One round of index t with message word w; t is a literal wherever this expands. */
#define RT(a, b, c, d, e, f, g, h, t, w)                                                       \
  {                                                                                            \
    uint t1 = ADD(f3, S1(e), ADD(f5, CH(e, f, g), ADD(f5, w, (h) + K[t])));                       \
    (d) = ADD(f1, t1, d);                                                                       \
    (h) = ADD(f4, S0(a), ADD(f6, MAJ(a, b, c), t1));                                             \
  }

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
  w[t] = ADD(f2, s1(w[(t) - 2]), ADD(f7, s0(w[(t) - 15]), ADD(f7, w[(t) - 7], w[(t) - 16])))

/* A round whose message word is scheduled just before it: only 16 words are ever live. */
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

#define IV0 0x6a09e667u
#define IV1 0xbb67ae85u
#define IV2 0x3c6ef372u
#define IV3 0xa54ff53au
#define IV4 0x510e527fu
#define IV5 0x9b05688cu
#define IV6 0x1f83d9abu
#define IV7 0x5be0cd19u

/*
 * SHA-256d of the nonce whose block-2 word 3 (the byte-swapped nonce) is w3, as far as the
 * hash's most significant word: returns it (byte-swapped to a number). With full, the last
 * three rounds run too and the whole second digest lands in digest; the callers pass full as a
 * literal, so the hot path carries none of it.
 */
uint sha256d_top(const uint w3, const bool full, out uint digest[8])
{
  const uint one = P(P_ONE);
  const uint f1 = MAD_ADDS >= 1u ? one : 1u, f2 = MAD_ADDS >= 2u ? one : 1u;
  const uint f3 = MAD_ADDS >= 3u ? one : 1u, f4 = MAD_ADDS >= 4u ? one : 1u;
  const uint f5 = MAD_ADDS >= 5u ? one : 1u, f6 = MAD_ADDS >= 6u ? one : 1u;
  const uint f7 = MAD_ADDS >= 7u ? one : 1u;
  uint w[64];
  /* Block 2: only W3 varies. W4 = 0x80000000, W5..W14 = 0, W15 = 640. */
  w[0] = P(P_W + 0);
  w[1] = P(P_W + 1);
  w[2] = P(P_W + 2);
  w[3] = w3;
  w[4] = 0x80000000u;
  w[5] = 0u;
  w[6] = 0u;
  w[7] = 0u;
  w[8] = 0u;
  w[9] = 0u;
  w[10] = 0u;
  w[11] = 0u;
  w[12] = 0u;
  w[13] = 0u;
  w[14] = 0u;
  w[15] = 640u;
  w[16] = P(P_W16);
  w[17] = P(P_W17);
  w[18] = P(P_W18B) + s0(w3);
  w[19] = P(P_W19B) + w3;

  /* Names rotated so that RT(e, f, ...) is round 4. */
  uint e = P(P_R4 + 0) + w3, f = P(P_R4 + 1), g = P(P_R4 + 2), h = P(P_R4 + 3);
  uint a = P(P_R4 + 4) + w3, b = P(P_R4 + 5), c = P(P_R4 + 6), d = P(P_R4 + 7);
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
  uint m[64];
  m[0] = P(P_MID + 0) + a;
  m[1] = P(P_MID + 1) + b;
  m[2] = P(P_MID + 2) + c;
  m[3] = P(P_MID + 3) + d;
  m[4] = P(P_MID + 4) + e;
  m[5] = P(P_MID + 5) + f;
  m[6] = P(P_MID + 6) + g;
  m[7] = P(P_MID + 7) + h;
  m[8] = 0x80000000u;
  m[9] = 0u;
  m[10] = 0u;
  m[11] = 0u;
  m[12] = 0u;
  m[13] = 0u;
  m[14] = 0u;
  m[15] = 256u;

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
  uint top = BSWAP(IV7 + h);
  if (full) {
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

/* The rare nonce whose top word equals the target's: the lower words decide. */
bool meets_fully(const uint nonce)
{
  uint digest[8];
  sha256d_top(BSWAP(nonce), true, digest);
  for (int i = 6; i >= 0; i--) {
    uint v = BSWAP(digest[i]), t = P(P_TARGET + i);
    if (v != t)
      return v < t;
  }
  return true;
}

void main()
{
  /* The job moved on since this launch was queued: leave at once (wrap-safe comparison). */
  SYNTH_LEAVE_IF_ABORTED();
  /* Workgroups may be spread over y: count invocations in x first. */
  uint invocation = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x +
                    gl_LocalInvocationID.x;
  uint t7 = P(P_TARGET + 7);
  for (uint k = 0u; k < NONCES; k++) {
    uint i = invocation * NONCES + k;
    if (i >= launch.count)
      return;
    uint nonce = launch.nonce_base + i;
    uint unused[8];
    uint top = sha256d_top(BSWAP(nonce), false, unused);
    if (top < t7 || (top == t7 && meets_fully(nonce))) {
      synth_report_hit(nonce);
    }
  }
}
