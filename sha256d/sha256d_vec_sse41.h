/* sha256d_vec_sse41.h: the lane template's vector operations on SSE4.1 (4 x 32 bits). */
/* Included after `typedef __m128i vec;` in a file compiled for the sse4.1 target. */
#include "sha256d_vec_sse_common.h"

#define VBSWAP(x)                                                                                  \
  _mm_shuffle_epi8((x), _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3))

/* Lanes where bswap(h7) <= t7, unsigned: min(x, t) == x. */
static inline unsigned vec_candidates(__m128i h7, __m128i t7)
{
  __m128i x = VBSWAP(h7);
  return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(_mm_min_epu32(x, t7), x)));
}
#define VCANDIDATES(h7, t7) vec_candidates((h7), (t7))
