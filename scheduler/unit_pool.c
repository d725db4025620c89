/* unit_pool.c: bounded WorkUnit allocation: slabs behind a wait-free free list. */
#include "scheduler/unit_pool.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "base/happens_before.h"
#include "synth/error.h"

#define SLAB_UNITS 1024

struct slab {
  struct slab *next;
  struct synth__work_unit units[SLAB_UNITS];
};

struct synth__unit_pool {
  /* Free list: any thread enqueues, only the allocator dequeues. Head and tail sit on
   * separate cache lines so freeing threads do not bounce the allocator's line. */
  alignas(64) struct __cds_wfcq_head free_head;
  alignas(64) struct cds_wfcq_tail free_tail;
  alignas(64) atomic_size_t in_use;
  /* Allocator-only: */
  struct slab *slabs;
  size_t slab_next; /* next never-used unit of slabs */
  size_t max_units;
};

int synth__unit_pool_create(struct synth__unit_pool **out, size_t max_units)
{
  if (max_units == 0)
    return SYNTH_EINVAL;
  struct synth__unit_pool *pool = aligned_alloc(64, sizeof *pool);
  if (!pool)
    return SYNTH_ENOMEM;
  __cds_wfcq_init(&pool->free_head, &pool->free_tail);
  atomic_init(&pool->in_use, 0);
  pool->slabs = NULL;
  pool->slab_next = SLAB_UNITS;
  pool->max_units = max_units;
  *out = pool;
  return 0;
}

void synth__unit_pool_destroy(struct synth__unit_pool *pool)
{
  if (!pool)
    return;
  for (struct slab *s = pool->slabs, *next; s; s = next) {
    next = s->next;
    free(s);
  }
  free(pool);
}

struct synth__work_unit *synth__unit_pool_alloc(struct synth__unit_pool *pool, bool overdraft)
{
  /* Relaxed: frees racing with this check only make the bound a unit or two looser. */
  if (!overdraft && atomic_load_explicit(&pool->in_use, memory_order_relaxed) >= pool->max_units)
    return NULL;
  struct synth__work_unit *unit;
  /* Single dequeuer, so the lock-less __cds variant is enough; "blocking" only means it may
   * spin for the few instructions of an enqueue that is half done. */
  struct cds_wfcq_node *node = __cds_wfcq_dequeue_blocking(&pool->free_head, &pool->free_tail);
  if (node) {
    unit = caa_container_of(node, struct synth__work_unit, node);
    SYNTH_HAPPENS_AFTER(unit);
  } else {
    if (pool->slab_next == SLAB_UNITS) {
      struct slab *slab = malloc(sizeof *slab);
      if (!slab)
        return NULL;
      slab->next = pool->slabs;
      pool->slabs = slab;
      pool->slab_next = 0;
    }
    unit = &pool->slabs->units[pool->slab_next++];
  }
  cds_wfcq_node_init(&unit->node);
  atomic_fetch_add_explicit(&pool->in_use, 1, memory_order_relaxed);
  return unit;
}

void synth__unit_pool_free(struct synth__unit_pool *pool, struct synth__work_unit *unit)
{
  atomic_fetch_sub_explicit(&pool->in_use, 1, memory_order_relaxed);
  cds_wfcq_node_init(&unit->node);
  SYNTH_HAPPENS_BEFORE(unit);
  /* Full barrier inside: the unit's last contents are published before it is reusable. */
  cds_wfcq_enqueue(&pool->free_head, &pool->free_tail, &unit->node);
}

size_t synth__unit_pool_in_use(struct synth__unit_pool *pool)
{
  return atomic_load_explicit(&pool->in_use, memory_order_relaxed);
}
