/* hit_tally.c: a work's hits and ending as its callbacks deliver them, and the mix workload's
 * reference list to compare them with. */
#include "support/hit_tally.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

void hit_tally_init(struct hit_tally *t)
{
  pthread_mutex_init(&t->lock, NULL);
  t->n = 0;
  atomic_store(&t->done_calls, 0);
  atomic_store(&t->status, 1);
}

void hit_tally_destroy(struct hit_tally *t)
{
  pthread_mutex_destroy(&t->lock);
}

void hit_tally_on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)v, (void)device;
  struct hit_tally *t = user;
  pthread_mutex_lock(&t->lock);
  if (t->n < HIT_TALLY_MAX)
    t->hits[t->n++] = index;
  pthread_mutex_unlock(&t->lock);
}

void hit_tally_on_done(void *user, int status)
{
  struct hit_tally *t = user;
  atomic_store(&t->status, status);
  atomic_fetch_add(&t->done_calls, 1);
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

void hit_tally_sort(struct hit_tally *t)
{
  qsort(t->hits, t->n, sizeof t->hits[0], cmp_u64);
}

void hit_tally_expect(struct hit_tally *t, const uint64_t *expect, size_t n_expect)
{
  CU_ASSERT_EQUAL(atomic_load(&t->done_calls), 1);
  CU_ASSERT_EQUAL(atomic_load(&t->status), 0);
  hit_tally_sort(t);
  CU_ASSERT_EQUAL(t->n, n_expect);
  size_t n = t->n < n_expect ? t->n : n_expect;
  CU_ASSERT_EQUAL(memcmp(t->hits, expect, sizeof expect[0] * n), 0);
}

size_t mix_reference_hits(const struct mix_job *job, uint64_t start, uint64_t size, uint64_t *out,
                          size_t max)
{
  struct mix_payload p;
  size_t n = 0;
  for (uint64_t i = start; i < start + size; i++) {
    if ((i & 0xffffffffull) == 0 || i == start)
      mix_prepare(job, sizeof *job, (uint32_t)(i >> 32), &p);
    if (mix_hash_of(&p, (uint32_t)i) < job->threshold && n < max)
      out[n++] = i;
  }
  return n;
}
