/* sha256d_scan_shani_avx512.c: hybrid SHA-256d core: 16 AVX-512 lanes and SHA-NI streams
 * interleaved. The lanes can use zmm16..31, leaving xmm0..15 to the SHA instructions. */
#define SHANI_STREAMS 2
#include "sha256d/sha256d_shani.h"

typedef __m512i vec;
#define LANES 16
#define LANE_HYBRID 1
#define SCAN_FN synth__sha256d_scan_shani_avx512
#include "sha256d/sha256d_vec_avx512.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_lanes.h"
