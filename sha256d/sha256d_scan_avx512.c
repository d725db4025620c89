/* sha256d_scan_avx512.c: the SHA-256d lane core, 16 nonces per AVX-512 vector. */
#include <immintrin.h>

typedef __m512i vec;
#define LANES 16
#define SCAN_FN synth__sha256d_scan_avx512
#include "sha256d/sha256d_vec_avx512.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_lanes.h"
