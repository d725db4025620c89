/* coverage_workload.c: a test workload that records how often each index of a job is hashed. */
#include "support/coverage_workload.h"

#include <stdlib.h>
#include <string.h>

/* Each batch hashes its own copy of the roll's payload, so epoch_end is the batch's own. */
struct cover_payload {
  struct cover_job *job;
  uint32_t roll;
  uint32_t epoch_end; /* the scheduler's epoch when the batch's scan returned */
};

static int prepare_roll(const void *job_data, size_t data_size, uint32_t roll, void *payload)
{
  (void)data_size;
  struct cover_payload *p = payload;
  memset(p, 0, sizeof *p);
  p->job = (struct cover_job *)job_data;
  p->roll = roll;
  return 0;
}

static uint32_t scan(const void *payload, uint32_t nonce_start, uint32_t count,
                     struct synth_scan_ctl *ctl)
{
  const struct cover_payload *p = payload;
  struct cover_job *job = p->job;
  unsigned seen_epoch = atomic_load(&job->max_epoch_seen);
  while (seen_epoch < ctl->epoch &&
         !atomic_compare_exchange_weak(&job->max_epoch_seen, &seen_epoch, ctl->epoch))
    ;
  uint32_t done = 0;
  while (done < count && !synth__scan_should_stop(ctl)) {
    uint32_t chunk = count - done < 1024 ? count - done : 1024;
    for (uint32_t i = 0; i < chunk; i++) {
      uint32_t nonce = nonce_start + done + i;
      uint64_t index = (uint64_t)p->roll << 32 | nonce;
      if (job->size)
        atomic_fetch_add_explicit(&job->seen[index - job->base], 1, memory_order_relaxed);
      if (index % job->hit_modulus == 0)
        synth__scan_report(ctl, nonce);
    }
    done += chunk;
  }
  atomic_fetch_add_explicit(&job->hashed, done, memory_order_relaxed);
  /* Acquire pairs with the job switch's release of the epoch: a scan that ends in the new
   * epoch has the switch's clean floor in view, and so has the collector after it. */
  ((struct cover_payload *)payload)->epoch_end =
      atomic_load_explicit((const atomic_uint *)ctl->epoch_now, memory_order_acquire);
  return done;
}

static void verify(const void *payload, uint32_t nonce, struct synth_verdict *out)
{
  const struct cover_payload *p = payload;
  uint64_t index = (uint64_t)p->roll << 32 | nonce;
  memset(out->hash, 0, sizeof out->hash);
  memcpy(out->hash, &index, sizeof index);
  out->hash_size = sizeof index;
  out->meets_target = index % p->job->hit_modulus == 0;
}

static const struct synth_cpu_core cover_cores[] = {
    {.name = "cover", .scan = scan},
    {.name = NULL, .scan = NULL},
};

const struct synth_workload cover_workload = {
    .name = "coverage",
    .payload_size = sizeof(struct cover_payload),
    .prepare_roll = prepare_roll,
    .verify = verify,
    .cpu_cores = cover_cores,
    .known_answer = NULL,
};

struct cover_job *cover_job_new(uint32_t tag, uint64_t base, uint64_t size, uint64_t hit_modulus)
{
  struct cover_job *job = calloc(1, sizeof *job);
  if (!job)
    return NULL;
  job->tag = tag;
  job->base = base;
  job->size = size;
  job->hit_modulus = hit_modulus;
  if (size) {
    job->seen = calloc(size, sizeof *job->seen);
    if (!job->seen) {
      free(job);
      return NULL;
    }
  }
  return job;
}

void cover_job_free(struct cover_job *job)
{
  if (!job)
    return;
  free(job->seen);
  free(job);
}

uint64_t cover_job_misses(const struct cover_job *job)
{
  uint64_t bad = 0;
  for (uint64_t i = 0; i < job->size; i++)
    bad += atomic_load_explicit(&job->seen[i], memory_order_relaxed) != 1;
  return bad;
}

uint64_t cover_job_unhashed(const struct cover_job *job)
{
  uint64_t lost = 0;
  for (uint64_t i = 0; i < job->size; i++)
    lost += atomic_load_explicit(&job->seen[i], memory_order_relaxed) == 0;
  return lost;
}

uint64_t cover_job_expected_hits(const struct cover_job *job)
{
  uint64_t first = (job->base + job->hit_modulus - 1) / job->hit_modulus * job->hit_modulus;
  uint64_t end = job->base + job->size;
  return first >= end ? 0 : (end - 1 - first) / job->hit_modulus + 1;
}

unsigned cover_payload_epoch_end(const void *payload)
{
  return ((const struct cover_payload *)payload)->epoch_end;
}
