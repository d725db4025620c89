/* unit_pool.h: bounded WorkUnit allocation: slabs behind a wait-free free list. */
#ifndef SYNTH_SCHEDULER_UNIT_POOL_H
#define SYNTH_SCHEDULER_UNIT_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "scheduler/work_unit.h"

/*
 * Synchronization table ("X": the pair needs outside exclusion, "-": it does not):
 *
 *            alloc  free
 *   alloc      X     -
 *   free       -     -
 *
 * One thread allocates (the work generator); any thread frees (devices drop stale units and
 * release the ones they take). The free list is a cds_wfcq with that single dequeuer, so
 * neither side takes a lock.
 *
 * The bound on memory: fresh work gets a unit only while fewer than max_units are in use, so
 * the generator waits when every unit is queued. Work a device gives back (a remainder) may
 * overdraw the bound, and must: otherwise a full pool and slots waiting for their remainders
 * could wait on each other forever. It stays bounded, because a remainder's nonces were units
 * until the device took them, which freed exactly as many.
 */
struct synth__unit_pool;

/* Returns 0 and *out, or SYNTH_ENOMEM / SYNTH_EINVAL (max_units == 0). */
int synth__unit_pool_create(struct synth__unit_pool **out, size_t max_units);

/* Frees every slab. Units still in use become invalid. NULL is ignored. */
void synth__unit_pool_destroy(struct synth__unit_pool *pool);

/* A unit (contents undefined), or NULL when max_units are in use (unless overdraft, for given
 * back work) or memory ran out. */
struct synth__work_unit *synth__unit_pool_alloc(struct synth__unit_pool *pool, bool overdraft);

/* Returns a unit to the pool. Wait-free. */
void synth__unit_pool_free(struct synth__unit_pool *pool, struct synth__work_unit *unit);

/* Units allocated and not yet freed (approximate while other threads run). */
size_t synth__unit_pool_in_use(struct synth__unit_pool *pool);

#endif
