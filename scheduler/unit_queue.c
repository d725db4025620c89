/* unit_queue.c: one device's queue of WorkUnits: wait-free enqueue, batched take, stealing. */
#include "scheduler/unit_queue.h"

#include <string.h>

#include "base/happens_before.h"
#include "synth/error.h"

void synth__unit_queue_init(struct synth__unit_queue *q)
{
  __cds_wfcq_init(&q->head, &q->tail);
  pthread_mutex_init(&q->take_lock, NULL);
  atomic_init(&q->queued_nonces, 0);
}

void synth__unit_queue_destroy(struct synth__unit_queue *q, struct synth__unit_pool *pool)
{
  struct cds_wfcq_node *node;
  while ((node = __cds_wfcq_dequeue_blocking(&q->head, &q->tail)))
    synth__unit_pool_free(pool, caa_container_of(node, struct synth__work_unit, node));
  atomic_store_explicit(&q->queued_nonces, 0, memory_order_relaxed);
  pthread_mutex_destroy(&q->take_lock);
}

void synth__unit_queue_push(struct synth__unit_queue *q, struct synth__work_unit *unit)
{
  /* Count first, so a taker never subtracts nonces that were not added yet. */
  atomic_fetch_add_explicit(&q->queued_nonces, unit->nonce_count, memory_order_relaxed);
  SYNTH_HAPPENS_BEFORE(unit);
  cds_wfcq_enqueue(&q->head, &q->tail, &unit->node);
}

/* Whether unit continues range without a gap inside the same roll. */
static bool continues(const struct synth__range *range, const struct synth__work_unit *unit)
{
  return unit->midstate_id == range->midstate_id &&
         unit->nonce_start == range->nonce_start + range->count;
}

int synth__unit_queue_take(struct synth__unit_queue *q, struct synth__unit_pool *pool,
                           synth__unit_resolve_fn resolve, void *ctx, bool try_only,
                           struct synth__take_result *res)
{
  memset(res, 0, sizeof *res);
  if (try_only) {
    if (pthread_mutex_trylock(&q->take_lock) != 0)
      return SYNTH_EAGAIN;
  } else {
    pthread_mutex_lock(&q->take_lock);
  }

  struct cds_wfcq_node *node;
  uint64_t removed = 0, max_nonces = 0;
  bool dead_known = false;
  uint32_t dead_id = 0; /* the last job found gone: its neighbours need no second look */
  while ((node = __cds_wfcq_first_blocking(&q->head, &q->tail))) {
    struct synth__work_unit *unit = caa_container_of(node, struct synth__work_unit, node);
    SYNTH_HAPPENS_AFTER(unit);
    if (res->taken > 0) {
      if (unit->job_id != res->job_id || !continues(&res->range, unit) ||
          res->taken + unit->nonce_count > max_nonces)
        break; /* another job's (or a gap): it heads the next run */
    } else if (!(dead_known && unit->job_id == dead_id) &&
               (res->job = resolve(ctx, unit->job_id, &max_nonces)) != NULL) {
      res->job_id = unit->job_id;
      res->range.midstate_id = unit->midstate_id;
      res->range.nonce_start = unit->nonce_start;
    } else {
      dead_known = true;
      dead_id = unit->job_id;
      __cds_wfcq_dequeue_blocking(&q->head, &q->tail);
      res->stale_nonces += unit->nonce_count;
      removed += unit->nonce_count;
      synth__unit_pool_free(pool, unit);
      continue;
    }
    __cds_wfcq_dequeue_blocking(&q->head, &q->tail);
    res->range.count += unit->nonce_count;
    res->taken += unit->nonce_count;
    removed += unit->nonce_count;
    synth__unit_pool_free(pool, unit);
  }
  pthread_mutex_unlock(&q->take_lock);
  atomic_fetch_sub_explicit(&q->queued_nonces, removed, memory_order_relaxed);
  return 0;
}

struct synth__work_unit *synth__unit_queue_pop(struct synth__unit_queue *q)
{
  if (pthread_mutex_trylock(&q->take_lock) != 0)
    return NULL;
  struct cds_wfcq_node *node = __cds_wfcq_dequeue_blocking(&q->head, &q->tail);
  pthread_mutex_unlock(&q->take_lock);
  if (!node)
    return NULL;
  struct synth__work_unit *unit = caa_container_of(node, struct synth__work_unit, node);
  SYNTH_HAPPENS_AFTER(unit);
  atomic_fetch_sub_explicit(&q->queued_nonces, unit->nonce_count, memory_order_relaxed);
  return unit;
}
