/* job_table.c: a lock-free table keyed by (job, 64-bit key) on liburcu's cds_lfht. */
#include "precompute/job_table.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>
/* The hash table header needs the flavor's definitions first. */
#include <urcu/rculfhash.h>

#include "base/happens_before.h"
#include "base/rcu_thread.h"
#include "synth/error.h"

struct entry {
  struct cds_lfht_node node;
  struct rcu_head rcu;
  uint64_t key;
  uint32_t job;
  unsigned char value[];
};

struct lookup_key {
  uint64_t key;
  uint32_t job;
};

struct synth__job_table {
  struct cds_lfht *ht;
  size_t value_size;
  atomic_size_t count;
};

/* splitmix64's finalizer: cheap and well mixed for sequential keys. */
static unsigned long hash_key(uint32_t job, uint64_t key)
{
  uint64_t z = key ^ ((uint64_t)job << 40 | (uint64_t)job >> 24);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (unsigned long)(z ^ (z >> 31));
}

static int match_key(struct cds_lfht_node *node, const void *arg)
{
  const struct entry *e = caa_container_of(node, struct entry, node);
  const struct lookup_key *k = arg;
  return e->key == k->key && e->job == k->job;
}

static void free_entry_rcu(struct rcu_head *head)
{
  struct entry *e = caa_container_of(head, struct entry, rcu);
  SYNTH_HAPPENS_AFTER(e);
  free(e);
}

int synth__job_table_create(struct synth__job_table **out, size_t value_size)
{
  struct synth__job_table *t = calloc(1, sizeof *t);
  if (!t)
    return SYNTH_ENOMEM;
  t->value_size = value_size;
  t->ht = cds_lfht_new_flavor(64, 64, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
                              &urcu_memb_flavor, NULL);
  if (!t->ht) {
    free(t);
    return SYNTH_ENOMEM;
  }
  *out = t;
  return 0;
}

void synth__job_table_destroy(struct synth__job_table *t)
{
  if (!t)
    return;
  struct cds_lfht_iter iter;
  struct entry *e;
  synth__rcu_online();
  /* No other user remains, so removed entries can be freed at once. */
  urcu_memb_read_lock();
  cds_lfht_for_each_entry (t->ht, &iter, e, node) {
    SYNTH_HAPPENS_AFTER(e);
    if (cds_lfht_del(t->ht, &e->node) == 0)
      free(e);
  }
  urcu_memb_read_unlock();
  cds_lfht_destroy(t->ht, NULL);
  /* Entries dropped earlier may still wait in call_rcu queues: flush them. */
  urcu_memb_barrier();
  synth__rcu_offline();
  free(t);
}

int synth__job_table_get(struct synth__job_table *t, uint32_t job, uint64_t key, void *value)
{
  struct lookup_key k = {key, job};
  struct cds_lfht_iter iter;
  int rc = SYNTH_ENOENT;
  urcu_memb_read_lock();
  cds_lfht_lookup(t->ht, hash_key(job, key), match_key, &k, &iter);
  struct cds_lfht_node *node = cds_lfht_iter_get_node(&iter);
  if (node) {
    const struct entry *e = caa_container_of(node, struct entry, node);
    SYNTH_HAPPENS_AFTER(e);
    if (value && t->value_size)
      memcpy(value, e->value, t->value_size);
    rc = 0;
  }
  urcu_memb_read_unlock();
  return rc;
}

int synth__job_table_add(struct synth__job_table *t, uint32_t job, uint64_t key, const void *value)
{
  struct entry *e = malloc(sizeof *e + t->value_size);
  if (!e)
    return SYNTH_ENOMEM;
  cds_lfht_node_init(&e->node);
  e->key = key;
  e->job = job;
  if (t->value_size)
    memcpy(e->value, value, t->value_size);

  struct lookup_key k = {key, job};
  SYNTH_HAPPENS_BEFORE(e); /* published by the add below; readers see its contents */
  urcu_memb_read_lock();
  struct cds_lfht_node *got =
      cds_lfht_add_unique(t->ht, hash_key(job, key), match_key, &k, &e->node);
  urcu_memb_read_unlock();
  if (got != &e->node) {
    free(e); /* never published: no grace period needed */
    return SYNTH_EDUPLICATE;
  }
  atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
  return 0;
}

size_t synth__job_table_drop_job(struct synth__job_table *t, uint32_t job)
{
  struct cds_lfht_iter iter;
  struct entry *e;
  size_t dropped = 0;
  urcu_memb_read_lock();
  cds_lfht_for_each_entry (t->ht, &iter, e, node) {
    SYNTH_HAPPENS_AFTER(e);
    if (e->job == job && cds_lfht_del(t->ht, &e->node) == 0) {
      SYNTH_HAPPENS_BEFORE(e);
      urcu_memb_call_rcu(&e->rcu, free_entry_rcu);
      dropped++;
    }
  }
  urcu_memb_read_unlock();
  atomic_fetch_sub_explicit(&t->count, dropped, memory_order_relaxed);
  return dropped;
}

size_t synth__job_table_count(struct synth__job_table *t)
{
  return atomic_load_explicit(&t->count, memory_order_relaxed);
}
