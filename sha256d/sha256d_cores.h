/* sha256d_cores.h: the CPU scan cores for SHA-256d, all sharing one contract. */
#ifndef SYNTH_DEVICES_CPU_SHA256D_CORES_H
#define SYNTH_DEVICES_CPU_SHA256D_CORES_H

#include <stddef.h>

#include "devices/scan_ctl.h"

/*
 * Each core scans nonces of one roll given its struct synth__sha256d_payload (see
 * precompute/sha256d_payload.h), using only nonce-dependent work in the loop, deciding early
 * from the last state word of the second hash and comparing the full target only for
 * survivors. SIMD and SHA-NI cores join the table, chosen at run time; "generic" is portable
 * C and always present, first.
 */
extern const struct synth_cpu_core synth__sha256d_cpu_cores[]; /* ends with scan == NULL */

struct synth__sha256d_payload;

/* Whether one nonce meets the payload's full target (the portable path, with its early exit).
 * Lane cores finish their rare survivors with it. Thread-safe. */
int synth__sha256d_nonce_meets(const struct synth__sha256d_payload *p, uint32_t nonce);

/* The cores. Each returns nonces hashed and reports hits through ctl (see workload.h). */
uint32_t synth__sha256d_scan_generic(const void *payload, uint32_t nonce_start, uint32_t count,
                                     struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_sse2(const void *payload, uint32_t nonce_start, uint32_t count,
                                  struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_sse41(const void *payload, uint32_t nonce_start, uint32_t count,
                                   struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_avx2(const void *payload, uint32_t nonce_start, uint32_t count,
                                  struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_avx512(const void *payload, uint32_t nonce_start, uint32_t count,
                                    struct synth_scan_ctl *ctl);
/* Two interleaved groups of lanes, rounds in rolled chunks (sha256d_groups.h). */
uint32_t synth__sha256d_scan_avx2x2(const void *payload, uint32_t nonce_start, uint32_t count,
                                    struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_avx512x2(const void *payload, uint32_t nonce_start, uint32_t count,
                                      struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_shani(const void *payload, uint32_t nonce_start, uint32_t count,
                                   struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_shani_avx2(const void *payload, uint32_t nonce_start, uint32_t count,
                                        struct synth_scan_ctl *ctl);
uint32_t synth__sha256d_scan_shani_avx512(const void *payload, uint32_t nonce_start, uint32_t count,
                                          struct synth_scan_ctl *ctl);

#endif
