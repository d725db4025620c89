/* mix_workload.c: a small workload of the tests' own, CPU only, through the public API. */
#include "support/mix_workload.h"

#include <string.h>

#include "synth/error.h"

static uint64_t mix(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int mix_prepare(const void *job_data, size_t data_size, uint32_t roll, void *payload)
{
  if (data_size != sizeof(struct mix_job))
    return SYNTH_EINVAL;
  const struct mix_job *j = job_data;
  if (j->fail_from_roll && roll >= j->fail_from_roll)
    return j->fail_code;
  struct mix_payload *p = payload;
  memset(p, 0, sizeof *p);
  p->seed = j->seed;
  p->threshold = j->threshold;
  p->roll = roll;
  return 0;
}

uint64_t mix_hash_of(const struct mix_payload *p, uint32_t nonce)
{
  return mix(p->seed ^ ((uint64_t)p->roll << 32 | nonce));
}

uint32_t mix_scan(const void *payload, uint32_t start, uint32_t count, struct synth_scan_ctl *ctl)
{
  const struct mix_payload *p = payload;
  uint32_t done = 0;
  while (done < count) {
    uint32_t n = count - done < SYNTH_SCAN_POLL_NONCES ? count - done : SYNTH_SCAN_POLL_NONCES;
    for (uint32_t k = 0; k < n; k++)
      if (mix_hash_of(p, start + done + k) < p->threshold)
        synth_scan_report(ctl, start + done + k);
    done += n;
    if (synth_scan_should_stop(ctl))
      break;
  }
  return done;
}

void mix_verify(const void *payload, uint32_t nonce, struct synth_verdict *out)
{
  const struct mix_payload *p = payload;
  uint64_t h = mix_hash_of(p, nonce);
  memset(out->hash, 0, sizeof out->hash);
  memcpy(out->hash, &h, sizeof h);
  out->hash_size = sizeof h;
  out->meets_target = h < p->threshold;
}

static const struct synth_cpu_core cores[] = {{"portable", mix_scan, NULL}, {NULL, NULL, NULL}};

const struct synth_workload mix_workload = MIX_WORKLOAD("mix64", cores);
