/* cpu_features.c: what this x86-64 CPU and its OS can run, from cpuid and xgetbv (x86-64 only). */
#include "devices/cpu/cpu_features.h"

#include <string.h>

#include <cpuid.h>
#include <stdint.h>

/* XCR0: which register states the OS saves on a context switch. A CPU feature is usable
 * only if the OS saves its registers, which cpuid alone does not say. */
static uint64_t read_xcr0(void)
{
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t)hi << 32 | lo;
}

void synth__cpu_features_detect(struct synth__cpu_features *f)
{
  memset(f, 0, sizeof *f);
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return;
  bool ssse3 = c & bit_SSSE3, sse41 = c & bit_SSE4_1, osxsave = c & bit_OSXSAVE, avx = c & bit_AVX;
  f->sse41 = ssse3 && sse41;
  uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  bool ymm_saved = (xcr0 & 0x6) == 0x6;   /* SSE and AVX state */
  bool zmm_saved = (xcr0 & 0xe6) == 0xe6; /* plus opmask, ZMM_Hi256, Hi16_ZMM */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
    return;
  f->avx2 = avx && ymm_saved && (b & bit_AVX2);
  f->avx512 =
      ymm_saved && zmm_saved && (b & bit_AVX512F) && (b & bit_AVX512VL) && (b & bit_AVX512BW);
  f->sha = f->sse41 && (b & bit_SHA);
}
