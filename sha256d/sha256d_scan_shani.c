/* sha256d_scan_shani.c: the SHA-256d core on the SHA extensions, several nonces interleaved. */
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_shani.h"

#define SCAN_FN synth__sha256d_scan_shani
#define STEP_NONCES SHANI_STREAMS

struct step_ctx {
  struct shani_consts c;
};

static void step_init(struct step_ctx *sc, const struct synth__sha256d_payload *p)
{
  shani_consts_init(&sc->c, p);
}

/* SHANI_STREAMS nonces from base, the 30 four-round steps back to back. */
static inline uint64_t step_hash(struct step_ctx *sc, uint32_t base)
{
  struct shani_state st;
  shani_start(&sc->c, &st, base);
  _Pragma("GCC unroll 30") for (int k = 0; k < SHANI_STEPS; k++) shani_step(&sc->c, &st, k);
  return shani_finish(&sc->c, &st);
}

#include "sha256d/sha256d_scan_loop.h"
