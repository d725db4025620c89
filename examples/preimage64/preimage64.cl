/* preimage64.cl: the preimage64 scan for OpenCL devices: a 64-bit hash in pairs of 32-bit words. */
/*
 * Arguments as every synth OpenCL kernel takes them (runtime/include/synth/workload.h): the
 * roll's payload, the launch's first nonce and count, the results (results[0] counts hits, past
 * max_hits too; results[1 + j] is hit j's nonce), max_hits, the host's abort word and the
 * launch's epoch. Work-item i hashes nonces nonce_base + i * LANES + k, k < LANES, as one
 * vector: a CPU device (PoCL) turns it into SIMD instructions.
 *
 * Payload, in uints (preimage64_workload.c), each 64-bit value low word first: 0 the roll's
 * seed, 2 the key, 4 the target (masked), 6 the mask. No 64-bit integers: GPUs emulate them
 * anyway, and the Vulkan kernel, which has none, must compute exactly the same thing.
 */

#ifndef LANES
#define LANES 1
#endif

/* T holds LANES nonces' words; M what comparing two Ts yields. */
#if LANES == 1
typedef uint T;
typedef int M;
#define LANE_OFFSETS 0u
#define ANY(x) (x)
#define TO_ARRAY(v, a) ((a)[0] = (v))
#elif LANES == 2
typedef uint2 T;
typedef int2 M;
#define LANE_OFFSETS (uint2)(0, 1)
#define ANY(x) any(x)
#define TO_ARRAY(v, a) vstore2((v), 0, (a))
#elif LANES == 4
typedef uint4 T;
typedef int4 M;
#define LANE_OFFSETS (uint4)(0, 1, 2, 3)
#define ANY(x) any(x)
#define TO_ARRAY(v, a) vstore4((v), 0, (a))
#elif LANES == 8
typedef uint8 T;
typedef int8 M;
#define LANE_OFFSETS (uint8)(0, 1, 2, 3, 4, 5, 6, 7)
#define ANY(x) any(x)
#define TO_ARRAY(v, a) vstore8((v), 0, (a))
#elif LANES == 16
typedef uint16 T;
typedef int16 M;
#define LANE_OFFSETS (uint16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#define ANY(x) any(x)
#define TO_ARRAY(v, a) vstore16((v), 0, (a))
#else
#error "LANES must be 1, 2, 4, 8 or 16"
#endif

#define P_SEED 0
#define P_KEY 2
#define P_TARGET 4
#define P_MASK 6

/* x ^= x >> s, for 0 < s < 32. */
static void xorshift(T *hi, T *lo, const uint s)
{
  *lo ^= (*lo >> s) | (*hi << (32 - s));
  *hi ^= *hi >> s;
}

/* x *= c, mod 2^64: the low words' whole product plus the low halves of the cross products. */
static void mul64(T *hi, T *lo, const uint chi, const uint clo)
{
  *hi = mul_hi(*lo, (T)clo) + *lo * chi + *hi * clo;
  *lo *= clo;
}

/* splitmix64's finalizer. */
static void mix64(T *hi, T *lo)
{
  xorshift(hi, lo, 30);
  mul64(hi, lo, 0xbf58476du, 0x1ce4e5b9u);
  xorshift(hi, lo, 27);
  mul64(hi, lo, 0x94d049bbu, 0x133111ebu);
  xorshift(hi, lo, 31);
}

__kernel void preimage64_scan(__constant const uint *payload, const uint nonce_base,
                              const uint count, __global uint *results, const uint max_hits,
                              volatile __global const uint *abort_word, const uint epoch)
{
  SYNTH_LEAVE_IF_ABORTED(abort_word, epoch, results);
  uint first = (uint)get_global_id(0) * LANES;
  if (first >= count)
    return;
  T nonce = (T)(nonce_base + first) + LANE_OFFSETS;
  T hi = (T)payload[P_SEED + 1], lo = (T)payload[P_SEED] ^ nonce;
  mix64(&hi, &lo);
  hi ^= payload[P_KEY + 1];
  lo ^= payload[P_KEY];
  mix64(&hi, &lo);
  M match = ((hi & payload[P_MASK + 1]) == (T)payload[P_TARGET + 1]) &
            ((lo & payload[P_MASK]) == (T)payload[P_TARGET]);
  if (!ANY(match))
    return;
  /* Rare: report each matching lane inside the launch's range. */
  int hit[LANES];
  uint nonces[LANES];
  TO_ARRAY(match, hit);
  TO_ARRAY(nonce, nonces);
  for (uint k = 0; k < LANES && first + k < count; k++) {
    if (hit[k])
      synth_report_hit(results, max_hits, nonces[k]);
  }
}
