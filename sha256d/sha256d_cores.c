/* sha256d_cores.c: the SHA-256d scan cores of x86-64, portable first, and what each needs. */
#include "sha256d/sha256d_cores.h"

#include "devices/cpu/cpu_features.h"

/* What this CPU offers, for the needs below. */
static struct synth__cpu_features features(void)
{
  struct synth__cpu_features f;
  synth__cpu_features_detect(&f);
  return f;
}

static bool has_sse41(void)
{
  return features().sse41;
}

static bool has_avx2(void)
{
  return features().avx2;
}

static bool has_avx512(void)
{
  return features().avx512;
}

static bool has_sha(void)
{
  return features().sha;
}

static bool has_sha_avx2(void)
{
  return has_sha() && has_avx2();
}

static bool has_sha_avx512(void)
{
  return has_sha() && has_avx512();
}

const struct synth_cpu_core synth__sha256d_cpu_cores[] = {
    {.name = "generic", .scan = synth__sha256d_scan_generic, .supported = NULL},
    {.name = "sse2", .scan = synth__sha256d_scan_sse2, .supported = NULL}, /* all x86-64 */
    {.name = "sse", .scan = synth__sha256d_scan_sse41, .supported = has_sse41},
    {.name = "avx2", .scan = synth__sha256d_scan_avx2, .supported = has_avx2},
    {.name = "avx512", .scan = synth__sha256d_scan_avx512, .supported = has_avx512},
    {.name = "avx2x2", .scan = synth__sha256d_scan_avx2x2, .supported = has_avx2},
    {.name = "avx512x2", .scan = synth__sha256d_scan_avx512x2, .supported = has_avx512},
    {.name = "sha-ni", .scan = synth__sha256d_scan_shani, .supported = has_sha},
    {.name = "sha-ni+avx2", .scan = synth__sha256d_scan_shani_avx2, .supported = has_sha_avx2},
    {.name = "sha-ni+avx512",
     .scan = synth__sha256d_scan_shani_avx512,
     .supported = has_sha_avx512},
    {.name = NULL, .scan = NULL, .supported = NULL},
};
