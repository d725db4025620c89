/* sha256d_scan_avx2x2.c: the SHA-256d grouped core, two interleaved groups of 8 AVX2 lanes
 * (16 nonces a step). */
#include <immintrin.h>

typedef __m256i vec;
#define LANES 8
#define GROUPS 2
#define SCAN_FN synth__sha256d_scan_avx2x2
#include "sha256d/sha256d_vec_avx2.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_groups.h"
