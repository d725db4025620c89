/* hit_tally.h: a work's hits and ending as its callbacks deliver them, and the mix workload's
 * reference list to compare them with. */
#ifndef SYNTH_TESTS_HIT_TALLY_H
#define SYNTH_TESTS_HIT_TALLY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "support/mix_workload.h"
#include "synth/runtime.h"

#define HIT_TALLY_MAX 4096

struct hit_tally {
  pthread_mutex_t lock;
  uint64_t hits[HIT_TALLY_MAX];
  size_t n;
  atomic_uint done_calls;
  atomic_int status;
};

/* Empties t (status 1: not ended yet). */
void hit_tally_init(struct hit_tally *t);
void hit_tally_destroy(struct hit_tally *t);

/* A synth_hit_fn and a synth_done_fn whose user is a struct hit_tally. */
void hit_tally_on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device);
void hit_tally_on_done(void *user, int status);

/* Sorts t's hits by index, to compare with a reference list. */
void hit_tally_sort(struct hit_tally *t);

/* Asserts what the tally of a work that ended must hold: one on_done, with status 0, and
 * exactly the @n_expect hits of @expect, ascending (t's are sorted first). */
void hit_tally_expect(struct hit_tally *t, const uint64_t *expect, size_t n_expect);

/* The mix job's hits in [start, start + size), ascending, up to max; returns how many. */
size_t mix_reference_hits(const struct mix_job *job, uint64_t start, uint64_t size, uint64_t *out,
                          size_t max);

#endif
