/* preimage64_hits.h: hits as the device threads deliver them, and the reference's own list. */
#ifndef PREIMAGE64_HITS_H
#define PREIMAGE64_HITS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <synth/runtime.h>

#include "preimage64_workload.h"

struct hit {
  uint64_t index, hash;
  unsigned device;
};

/* Kept for checking once the work is done. Initialise with PREIMAGE64_HITS_INIT. */
struct hits {
  pthread_mutex_t lock;
  struct hit *v;
  size_t n, cap;
  int lost; /* no memory to keep one */
};

#define PREIMAGE64_HITS_INIT                                                                       \
  {                                                                                                \
    .lock = PTHREAD_MUTEX_INITIALIZER                                                              \
  }

/* A synth_hit_fn: user is a struct hits. */
void hits_on_hit(void *user, uint64_t index, const struct synth_verdict *verdict, unsigned device);

/* Sorts by index (for comparing, and spotting a hit reported twice). */
void hits_sort(struct hits *h);

/* The whole range [start, start + count) hashed here with the C reference: the hits, by index,
 * that the devices must have found (NULL when out of memory). */
struct hit *hits_reference(const struct preimage64_job *job, uint64_t start, uint64_t count,
                           size_t *n);

/* Whether sorted h holds exactly the reference's hits of the range, each once. */
int hits_match_reference(const struct hits *h, const struct preimage64_job *job, uint64_t start,
                         uint64_t count, size_t *n_ref);

#endif
