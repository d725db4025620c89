/* sha256d_scan_shani.c: the SHA-256d core on the SHA extensions, several nonces interleaved. */
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_shani.h"

uint32_t synth__sha256d_scan_shani(const void *payload, uint32_t nonce_start, uint32_t count,
                                   struct synth_scan_ctl *ctl)
{
  const struct synth__sha256d_payload *p = payload;
  struct shani_consts c;
  shani_consts_init(&c, p);
  uint32_t done = 0;
  while (done < count && !synth__scan_should_stop(ctl)) {
    uint32_t chunk = count - done < SYNTH_SCAN_POLL_NONCES ? count - done : SYNTH_SCAN_POLL_NONCES;
    for (uint32_t i = 0; i < chunk; i += SHANI_STREAMS) {
      uint32_t base = nonce_start + done + i;
      struct shani_state st;
      shani_start(&c, &st, base);
      _Pragma("GCC unroll 30") for (int k = 0; k < SHANI_STEPS; k++) shani_step(&c, &st, k);
      unsigned mask = shani_finish(&c, &st);
      if (chunk - i < SHANI_STREAMS)
        mask &= (1u << (chunk - i)) - 1; /* streams past the range */
      while (mask) {
        uint32_t nonce = base + (uint32_t)__builtin_ctz(mask);
        mask &= mask - 1;
        if (synth__sha256d_nonce_meets(p, nonce))
          synth__scan_report(ctl, nonce);
      }
    }
    done += chunk;
  }
  return done;
}
