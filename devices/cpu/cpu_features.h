/* cpu_features.h: what this x86-64 CPU and its OS can run, from cpuid and xgetbv. */
#ifndef SYNTH_DEVICES_CPU_FEATURES_H
#define SYNTH_DEVICES_CPU_FEATURES_H

#include <stdbool.h>

struct synth__cpu_features {
  bool sse41;  /* SSE4.1 (and the SSSE3 it builds on) */
  bool avx2;   /* AVX2, with the OS saving YMM state */
  bool avx512; /* AVX-512 F, VL and BW, with the OS saving ZMM and mask state */
  bool sha;    /* the SHA extensions (SHA-NI) */
};

/* Reads the features (cpuid and xgetbv on every call: cheap). Thread-safe. Built on x86-64
 * only. */
void synth__cpu_features_detect(struct synth__cpu_features *f);

#endif
