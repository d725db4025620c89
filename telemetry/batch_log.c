/* batch_log.c: a device's last batches, written by its thread, read by anyone without locks. */
#include "telemetry/batch_log.h"

#include <stdlib.h>

enum { F_T_DONE, F_SIZE, F_NONCES, F_LATENCY, F_NEXT };

void synth__batch_log_init(struct synth__batch_log *log)
{
  atomic_init(&log->last_seq, 0);
  for (unsigned i = 0; i < SYNTH_BATCH_LOG_SIZE; i++) {
    atomic_init(&log->slots[i].stamp, 0);
    for (unsigned k = 0; k < SYNTH_BATCH_FIELDS; k++)
      atomic_init(&log->slots[i].f[k], 0);
    atomic_init(&log->slots[i].status, 0);
    atomic_init(&log->slots[i].state, 0);
  }
}

uint64_t synth__batch_log_append(struct synth__batch_log *log, struct synth__batch_entry *e)
{
  uint64_t seq = atomic_load_explicit(&log->last_seq, memory_order_relaxed) + 1;
  struct synth__batch_slot *s = &log->slots[seq & (SYNTH_BATCH_LOG_SIZE - 1)];
  e->seq = seq;
  atomic_store_explicit(&s->stamp, 2 * seq - 1, memory_order_relaxed);
  /* Release on each field (plain stores on x86): a reader that sees a new field value also
   * sees the odd stamp when it checks again. No fences, which ThreadSanitizer cannot model. */
  const memory_order rel = memory_order_release;
  atomic_store_explicit(&s->f[F_T_DONE], e->t_done_ns, rel);
  atomic_store_explicit(&s->f[F_SIZE], e->size, rel);
  atomic_store_explicit(&s->f[F_NONCES], e->nonces, rel);
  atomic_store_explicit(&s->f[F_LATENCY], e->latency_ns, rel);
  atomic_store_explicit(&s->f[F_NEXT], e->next_batch, rel);
  atomic_store_explicit(&s->status, e->status, rel);
  atomic_store_explicit(&s->state, e->state, rel);
  atomic_store_explicit(&s->stamp, 2 * seq, memory_order_release);
  atomic_store_explicit(&log->last_seq, seq, memory_order_release);
  return seq;
}

/* Copies the entry with sequence seq; false when the slot holds another one or is being
 * rewritten. */
static int read_one(const struct synth__batch_log *log, uint64_t seq, struct synth__batch_entry *e)
{
  const struct synth__batch_slot *s = &log->slots[seq & (SYNTH_BATCH_LOG_SIZE - 1)];
  if (atomic_load_explicit(&s->stamp, memory_order_acquire) != 2 * seq)
    return 0;
  e->seq = seq;
  const memory_order acq = memory_order_acquire; /* pairs with the writer's field releases */
  e->t_done_ns = atomic_load_explicit(&s->f[F_T_DONE], acq);
  e->size = atomic_load_explicit(&s->f[F_SIZE], acq);
  e->nonces = atomic_load_explicit(&s->f[F_NONCES], acq);
  e->latency_ns = atomic_load_explicit(&s->f[F_LATENCY], acq);
  e->next_batch = atomic_load_explicit(&s->f[F_NEXT], acq);
  e->status = atomic_load_explicit(&s->status, acq);
  e->state = atomic_load_explicit(&s->state, acq);
  return atomic_load_explicit(&s->stamp, memory_order_relaxed) == 2 * seq;
}

size_t synth__batch_log_read(const struct synth__batch_log *log, uint64_t after,
                             struct synth__batch_entry *out, size_t max)
{
  uint64_t last = atomic_load_explicit(&log->last_seq, memory_order_acquire);
  uint64_t first = after + 1;
  if (last >= SYNTH_BATCH_LOG_SIZE && first <= last - SYNTH_BATCH_LOG_SIZE)
    first = last - SYNTH_BATCH_LOG_SIZE + 1; /* older ones are overwritten */
  size_t n = 0;
  for (uint64_t seq = first; seq <= last && n < max; seq++) {
    if (read_one(log, seq, &out[n]))
      n++; /* an entry overwritten while read is skipped: a gap in seq */
  }
  return n;
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

void synth__batch_log_latency(const struct synth__batch_log *log, unsigned n, double *p50_ns,
                              double *p95_ns)
{
  struct synth__batch_entry e[SYNTH_BATCH_LOG_SIZE];
  uint64_t lat[SYNTH_BATCH_LOG_SIZE];
  if (n > SYNTH_BATCH_LOG_SIZE)
    n = SYNTH_BATCH_LOG_SIZE;
  uint64_t last = atomic_load_explicit(&log->last_seq, memory_order_acquire);
  uint64_t after = last > n ? last - n : 0;
  size_t got = synth__batch_log_read(log, after, e, n);
  size_t k = 0;
  for (size_t i = 0; i < got; i++) {
    if (e[i].status == 0 && e[i].nonces == e[i].size) /* cut-short batches say little */
      lat[k++] = e[i].latency_ns;
  }
  *p50_ns = *p95_ns = 0;
  if (k == 0)
    return;
  qsort(lat, k, sizeof lat[0], cmp_u64);
  /* Nearest rank: the smallest value with at least p of the samples at or below it. */
  size_t r50 = (k * 50 + 99) / 100, r95 = (k * 95 + 99) / 100;
  *p50_ns = (double)lat[r50 ? r50 - 1 : 0];
  *p95_ns = (double)lat[r95 ? r95 - 1 : 0];
}
