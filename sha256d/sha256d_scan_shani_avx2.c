/* sha256d_scan_shani_avx2.c: hybrid SHA-256d core: 8 AVX2 lanes and SHA-NI streams interleaved. */
#define SHANI_STREAMS 2 /* the lanes already cover most of the SHA unit's latency */
#include "sha256d/sha256d_shani.h"

typedef __m256i vec;
#define LANES 8
#define LANE_HYBRID 1
#define SCAN_FN synth__sha256d_scan_shani_avx2
#include "sha256d/sha256d_vec_avx2.h"

/* The template last: it is written in terms of the operations above. */
#include "sha256d/sha256d_lanes.h"
