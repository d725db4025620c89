/* sha256d_vec_avx2.h: the lane template's vector operations on AVX2 (8 x 32 bits). */
/* Included after `typedef __m256i vec;` in a file compiled for the avx2 target. */
#include <immintrin.h>

#define VSET1(x) _mm256_set1_epi32((int)(x))
#define VADD(a, b) _mm256_add_epi32((a), (b))
#define VXOR(a, b) _mm256_xor_si256((a), (b))
#define VSHR(x, n) _mm256_srli_epi32((x), (n))
#define VROTR(x, n) _mm256_or_si256(_mm256_srli_epi32((x), (n)), _mm256_slli_epi32((x), 32 - (n)))
#define VXOR3(a, b, c) VXOR(VXOR((a), (b)), (c))
#define VCH(e, f, g) VXOR(_mm256_and_si256((e), VXOR((f), (g))), (g))
#define VMAJ(a, b, c)                                                                              \
  _mm256_or_si256(_mm256_and_si256((a), (b)), _mm256_and_si256((c), _mm256_or_si256((a), (b))))
#define VBSWAP(x)                                                                                  \
  _mm256_shuffle_epi8((x), _mm256_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,   \
                                           12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3))
#define VLANE_INDEX _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0)

/* Lanes where bswap(h7) <= t7, unsigned: min(x, t) == x. */
static inline unsigned vec_candidates(__m256i h7, __m256i t7)
{
  __m256i x = VBSWAP(h7);
  __m256i le = _mm256_cmpeq_epi32(_mm256_min_epu32(x, t7), x);
  return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(le));
}
#define VCANDIDATES(h7, t7) vec_candidates((h7), (t7))
