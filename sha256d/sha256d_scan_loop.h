/* sha256d_scan_loop.h: a scan core's function around the includer's step of several nonces. */
/*
 * Not a normal header: included last by the lane templates (sha256d_lanes.h, sha256d_groups.h)
 * and the SHA-NI core. Required:
 *
 *   SCAN_FN, STEP_NONCES        the core's function name; nonces one step hashes (at most 64)
 *   struct step_ctx             what the steps of one scan call share
 *   step_init(ctx, p)           fills it from the payload
 *   step_hash(ctx, base)        hashes nonces base .. base + STEP_NONCES - 1; bit i set when
 *                               nonce base + i may meet the target
 *
 * Survivors are finished and compared in full by synth__sha256d_nonce_meets; the restart flag
 * is polled between chunks of about SYNTH_SCAN_POLL_NONCES.
 */
uint32_t SCAN_FN(const void *payload, uint32_t nonce_start, uint32_t count,
                 struct synth_scan_ctl *ctl)
{
  const struct synth__sha256d_payload *p = payload;
  struct step_ctx sc;
  step_init(&sc, p);
  /* Chunks between looks at the restart flag: a whole number of steps. */
  const uint32_t poll = SYNTH_SCAN_POLL_NONCES / STEP_NONCES * STEP_NONCES;
  uint32_t done = 0;
  while (done < count && !synth__scan_should_stop(ctl)) {
    uint32_t chunk = count - done < poll ? count - done : poll;
    for (uint32_t i = 0; i < chunk; i += STEP_NONCES) {
      uint32_t base = nonce_start + done + i;
      uint64_t mask = step_hash(&sc, base);
      if (chunk - i < STEP_NONCES)
        mask &= (1ull << (chunk - i)) - 1; /* lanes past the range hashed nonces not asked for */
      while (mask) {
        uint32_t nonce = base + (uint32_t)__builtin_ctzll(mask);
        mask &= mask - 1;
        if (synth__sha256d_nonce_meets(p, nonce))
          synth__scan_report(ctl, nonce);
      }
    }
    done += chunk;
  }
  return done;
}
