/* job_table.h: a lock-free table keyed by (job, 64-bit key), dropped a job at a time. */
#ifndef SYNTH_PRECOMPUTE_JOB_TABLE_H
#define SYNTH_PRECOMPUTE_JOB_TABLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Built on liburcu's cds_lfht. It holds the midstate cache (key = roll, value = the roll's
 * precompute payload) and, with a zero value size, the share de-duplication set (key =
 * index). Entries live until their job is dropped.
 *
 * Synchronization: every function but create/destroy may run concurrently with every other
 * from any number of threads; those threads must be RCU-registered (synth__rcu_online) and
 * not inside a read-side critical section. destroy requires that no other call is running.
 */
struct synth__job_table;

/* Returns 0 and *out, or SYNTH_ENOMEM. */
int synth__job_table_create(struct synth__job_table **out, size_t value_size);

/* Frees the table and every entry. NULL is ignored. */
void synth__job_table_destroy(struct synth__job_table *t);

/* Copies the value of (job, key) into value (when value_size > 0 and value is not NULL).
 * Returns 0, or SYNTH_ENOENT. */
int synth__job_table_get(struct synth__job_table *t, uint32_t job, uint64_t key, void *value);

/* Adds (job, key) with a copy of value. Returns 0 when added, SYNTH_EDUPLICATE when the key
 * was present (exactly one of several racing adders gets 0), or SYNTH_ENOMEM. */
int synth__job_table_add(struct synth__job_table *t, uint32_t job, uint64_t key, const void *value);

/* Removes every entry of job; memory is reclaimed after an RCU grace period. Returns how
 * many were removed. */
size_t synth__job_table_drop_job(struct synth__job_table *t, uint32_t job);

/* Entries currently in the table. */
size_t synth__job_table_count(struct synth__job_table *t);

#endif
