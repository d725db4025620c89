/* sha256d_vec_avx512.h: the lane template's vector operations on AVX-512 (16 x 32 bits). */
/* Included after `typedef __m512i vec;` in a file compiled for avx512f, avx512vl, avx512bw.
 * vprord rotates in one instruction; vpternlogd does every three-input function (the sigmas'
 * xor, choose, majority) in one. */
#include <immintrin.h>

#define VSET1(x) _mm512_set1_epi32((int)(x))
#define VADD(a, b) _mm512_add_epi32((a), (b))
#define VXOR(a, b) _mm512_xor_si512((a), (b))
#define VSHR(x, n) _mm512_srli_epi32((x), (n))
#define VROTR(x, n) _mm512_ror_epi32((x), (n))
/* Truth-table immediates over the operands in order = (0xf0, 0xcc, 0xaa). */
#define VXOR3(a, b, c) _mm512_ternarylogic_epi32((a), (b), (c), 0x96)
/* Ch ties g, its first operand, to the result: the input a round reads last (sha256d_groups.h). */
#define VCH(e, f, g) _mm512_ternarylogic_epi32((g), (e), (f), 0xb8)
#define VMAJ(a, b, c) _mm512_ternarylogic_epi32((a), (b), (c), 0xe8)
#define VBSWAP(x)                                                                                  \
  _mm512_shuffle_epi8((x), _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203))
#define VLANE_INDEX _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define VCANDIDATES(h7, t7) ((unsigned)_mm512_cmple_epu32_mask(VBSWAP(h7), (t7)))
