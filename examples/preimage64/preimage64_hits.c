/* preimage64_hits.c: hits as the device threads deliver them, and the reference's own list. */
#include "preimage64_hits.h"

#include <stdlib.h>

void hits_on_hit(void *user, uint64_t index, const struct synth_verdict *verdict, unsigned device)
{
  struct hits *h = user;
  struct hit one = {index, preimage64_verdict_hash(verdict), device};
  pthread_mutex_lock(&h->lock);
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 256;
    struct hit *v = realloc(h->v, cap * sizeof *v);
    if (v) {
      h->v = v;
      h->cap = cap;
    }
  }
  if (h->n < h->cap)
    h->v[h->n++] = one;
  else
    h->lost = 1;
  pthread_mutex_unlock(&h->lock);
}

static int by_index(const void *a, const void *b)
{
  uint64_t x = ((const struct hit *)a)->index, y = ((const struct hit *)b)->index;
  return (x > y) - (x < y);
}

void hits_sort(struct hits *h)
{
  if (h->n)
    qsort(h->v, h->n, sizeof *h->v, by_index);
}

struct hit *hits_reference(const struct preimage64_job *job, uint64_t start, uint64_t count,
                           size_t *n)
{
  size_t cap = 256;
  struct hit *v = malloc(cap * sizeof *v);
  *n = 0;
  for (uint64_t i = start; v && i < start + count; i++) {
    uint64_t h = preimage64_hash(job->key, i);
    if (!preimage64_matches(job, h))
      continue;
    if (*n == cap) {
      struct hit *w = realloc(v, 2 * cap * sizeof *v);
      if (!w) {
        free(v);
        return NULL;
      }
      v = w;
      cap *= 2;
    }
    v[(*n)++] = (struct hit){i, h, 0};
  }
  return v;
}

int hits_match_reference(const struct hits *h, const struct preimage64_job *job, uint64_t start,
                         uint64_t count, size_t *n_ref)
{
  size_t n = 0;
  struct hit *ref = hits_reference(job, start, count, &n);
  int same = ref && n == h->n && !h->lost;
  for (size_t i = 0; same && i < n; i++)
    same = ref[i].index == h->v[i].index && ref[i].hash == h->v[i].hash;
  free(ref);
  *n_ref = n;
  return same;
}
