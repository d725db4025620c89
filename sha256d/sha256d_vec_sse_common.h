/* sha256d_vec_sse_common.h: the lane template's vector operations SSE2 and SSE4.1 share
 * (4 x 32 bits); each of the two headers adds its byte swap and lane compare. */
#include <immintrin.h>

#define VSET1(x) _mm_set1_epi32((int)(x))
#define VADD(a, b) _mm_add_epi32((a), (b))
#define VXOR(a, b) _mm_xor_si128((a), (b))
#define VSHR(x, n) _mm_srli_epi32((x), (n))
#define VROTR(x, n) _mm_or_si128(_mm_srli_epi32((x), (n)), _mm_slli_epi32((x), 32 - (n)))
#define VXOR3(a, b, c) VXOR(VXOR((a), (b)), (c))
#define VCH(e, f, g) VXOR(_mm_and_si128((e), VXOR((f), (g))), (g))
#define VMAJ(a, b, c)                                                                              \
  _mm_or_si128(_mm_and_si128((a), (b)), _mm_and_si128((c), _mm_or_si128((a), (b))))
#define VLANE_INDEX _mm_set_epi32(3, 2, 1, 0)
