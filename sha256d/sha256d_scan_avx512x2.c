/* sha256d_scan_avx512x2.c: the SHA-256d grouped core, two interleaved groups of 16 AVX-512 lanes
 * (32 nonces a step). */
#include <immintrin.h>

typedef __m512i vec;
#define LANES 16
#define GROUPS 2 /* three and four were slower on Zen 5: registers and code size */
#define SCAN_FN synth__sha256d_scan_avx512x2
#include "sha256d/sha256d_vec_avx512.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_groups.h"
