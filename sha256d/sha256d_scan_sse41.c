/* sha256d_scan_sse41.c: the SHA-256d lane core, 4 nonces per SSE4.1 vector. */
#include <immintrin.h>

typedef __m128i vec;
#define LANES 4
#define SCAN_FN synth__sha256d_scan_sse41
#include "sha256d/sha256d_vec_sse41.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_lanes.h"
