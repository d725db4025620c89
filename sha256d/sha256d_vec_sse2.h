/* sha256d_vec_sse2.h: the lane template's vector operations on plain SSE2 (4 x 32 bits). */
/* SSE2 is part of every x86-64, so this core runs anywhere; it lacks SSSE3's byte shuffle and
 * SSE4.1's unsigned minimum, which sha256d_vec_sse41.h uses, and builds both from shifts. */
#include "sha256d_vec_sse_common.h"

/* Byte swap: swap the bytes of each 16-bit half, then the halves of each 32-bit lane. */
static inline __m128i vec_bswap(__m128i x)
{
  __m128i y = _mm_or_si128(_mm_slli_epi16(x, 8), _mm_srli_epi16(x, 8));
  return _mm_shufflehi_epi16(_mm_shufflelo_epi16(y, 0xb1), 0xb1);
}
#define VBSWAP(x) vec_bswap(x)

/* Lanes where bswap(h7) <= t7, unsigned: flip the sign bits and compare signed. */
static inline unsigned vec_candidates(__m128i h7, __m128i t7)
{
  const __m128i sign = _mm_set1_epi32((int)0x80000000u);
  __m128i gt = _mm_cmpgt_epi32(VXOR(VBSWAP(h7), sign), VXOR(t7, sign));
  return ~(unsigned)_mm_movemask_ps(_mm_castsi128_ps(gt)) & 0xf;
}
#define VCANDIDATES(h7, t7) vec_candidates((h7), (t7))
