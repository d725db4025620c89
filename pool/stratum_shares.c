/* stratum_shares.c: shares on their way to the pool: a queue from the device threads, the jobs
 * they may still be sent for, and the ones already sent. */
#include "stratum_shares.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stratum_queue_init(struct stratum_share_queue *q, size_t cap)
{
  memset(q, 0, sizeof *q);
  q->items = calloc(cap, sizeof *q->items);
  if (!q->items)
    return -1;
  q->cap = cap;
  pthread_mutex_init(&q->lock, NULL);
  return 0;
}

void stratum_queue_destroy(struct stratum_share_queue *q)
{
  if (!q->items)
    return;
  pthread_mutex_destroy(&q->lock);
  free(q->items);
  q->items = NULL;
}

void stratum_queue_push(struct stratum_share_queue *q, const struct stratum_share *share)
{
  pthread_mutex_lock(&q->lock);
  if (q->count == q->cap) { /* the oldest share is the likeliest to be stale already */
    q->head = (q->head + 1) % q->cap;
    q->count--;
    q->dropped++;
  }
  q->items[(q->head + q->count) % q->cap] = *share;
  q->count++;
  pthread_mutex_unlock(&q->lock);
}

bool stratum_queue_pop(struct stratum_share_queue *q, struct stratum_share *out)
{
  pthread_mutex_lock(&q->lock);
  bool got = q->count > 0;
  if (got) {
    *out = q->items[q->head];
    out->s.job_id = out->job_id; /* the copy's own id, not the slot's */
    q->head = (q->head + 1) % q->cap;
    q->count--;
  }
  pthread_mutex_unlock(&q->lock);
  return got;
}

size_t stratum_queue_count(struct stratum_share_queue *q, uint64_t *dropped)
{
  pthread_mutex_lock(&q->lock);
  size_t n = q->count;
  if (dropped)
    *dropped = q->dropped;
  pthread_mutex_unlock(&q->lock);
  return n;
}

void stratum_jobs_clear(struct stratum_valid_jobs *v)
{
  for (size_t i = 0; i < STRATUM_VALID_JOBS; i++)
    v->jobs[i].valid = false;
}

const char *stratum_jobs_add(struct stratum_valid_jobs *v, const char *pool_job_id, uint32_t epoch)
{
  struct stratum_job_tag *t = &v->jobs[v->next_tag % STRATUM_VALID_JOBS];
  t->tag = v->next_tag++;
  t->epoch = epoch;
  t->valid = true;
  snprintf(t->pool_job_id, sizeof t->pool_job_id, "%s", pool_job_id);
  snprintf(t->tag_text, sizeof t->tag_text, "%st%x", v->prefix, (unsigned)t->tag);
  return t->tag_text;
}

const char *stratum_jobs_find(const struct stratum_valid_jobs *v, const char *tag_text,
                              uint32_t epoch)
{
  unsigned tag;
  char end;
  size_t plen = strlen(v->prefix);
  if (strncmp(tag_text, v->prefix, plen) != 0 || sscanf(tag_text + plen, "t%x%c", &tag, &end) != 1)
    return NULL;
  const struct stratum_job_tag *t = &v->jobs[tag % STRATUM_VALID_JOBS];
  if (!t->valid || t->tag != tag || t->epoch != epoch || strcmp(t->tag_text, tag_text) != 0)
    return NULL;
  return t->pool_job_id;
}

int stratum_sent_init(struct stratum_sent *s)
{
  s->slots = calloc(STRATUM_SENT_MAX, sizeof *s->slots);
  s->count = 0;
  return s->slots ? 0 : -1;
}

void stratum_sent_destroy(struct stratum_sent *s)
{
  free(s->slots);
  s->slots = NULL;
}

void stratum_sent_clear(struct stratum_sent *s)
{
  memset(s->slots, 0, STRATUM_SENT_MAX * sizeof *s->slots);
  s->count = 0;
}

/* FNV-1a, 64-bit: a collision between two real shares is a 2^-64 event. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

bool stratum_sent_add(struct stratum_sent *s, const struct stratum_share *share)
{
  uint64_t h = fnv(0xcbf29ce484222325ull, share->job_id, strlen(share->job_id) + 1);
  h = fnv(h, share->s.extranonce2, share->s.extranonce2_size);
  h = fnv(h, &share->s.ntime, sizeof share->s.ntime);
  h = fnv(h, &share->s.nonce, sizeof share->s.nonce);
  h = fnv(h, &share->s.version, sizeof share->s.version);
  h = fnv(h, share->extranonce1, share->extranonce1_len);
  if (h == 0)
    h = 1;
  if (s->count >= STRATUM_SENT_MAX / 2) /* a job running for ever: forget the oldest era */
    stratum_sent_clear(s);
  for (size_t i = h % STRATUM_SENT_MAX;; i = (i + 1) % STRATUM_SENT_MAX) {
    if (s->slots[i] == h)
      return false;
    if (s->slots[i] == 0) {
      s->slots[i] = h;
      s->count++;
      return true;
    }
  }
}
