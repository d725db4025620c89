/* sha256d_scan_avx2.c: the SHA-256d lane core, 8 nonces per AVX2 vector. */
#include <immintrin.h>

typedef __m256i vec;
#define LANES 8
#define SCAN_FN synth__sha256d_scan_avx2
#include "sha256d/sha256d_vec_avx2.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_lanes.h"
