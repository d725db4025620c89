/* pool_handover.c: moving `run` from one source of work to another while hashing. */
#include "pool_handover.h"

#include <stdio.h>
#include <string.h>

#include "api_snapshot.h"
#include "cli.h"
#include "text_clean.h"

int handover_init(struct pool_handover *h, struct pool_source *cur, struct cli_log *log)
{
  memset(h, 0, sizeof *h);
  if (pthread_rwlock_init(&h->lock, NULL) != 0)
    return -1;
  h->cur = *cur;
  memset(cur, 0, sizeof *cur);
  h->log = log;
  return 0;
}

const char *handover_url(const struct pool_handover *h)
{
  return h->cur.count ? h->cur.urls[0] : "";
}

/* "pool URL (replaced): what it answered", once its client has stopped. */
static void say_replaced(const struct pool_source *ps)
{
  struct synth_pool_stats s;
  if (synth_pool_stats(ps->pool, &s, sizeof s) != 0)
    return;
  char url[sizeof s.url];
  text_clean(url, sizeof url, s.url[0] ? s.url : ps->urls[0], false);
  fprintf(stderr,
          "synthminer run: pool %s (replaced): %llu found, %llu accepted, %llu rejected, %llu "
          "stale, %llu unanswered, %llu kept\n",
          url, (unsigned long long)s.found, (unsigned long long)s.accepted,
          (unsigned long long)s.rejected, (unsigned long long)s.stale,
          (unsigned long long)(s.unanswered + s.in_flight), (unsigned long long)s.kept);
}

/* The draining client stops; its answers join the API's retired figures. */
static void finish_drain(struct pool_handover *h, struct api_state *api)
{
  if (!h->draining)
    return;
  synth_pool_stop(h->old.pool);
  say_replaced(&h->old);
  if (api)
    api_state_retire(api, h->old.pool);
  pthread_rwlock_wrlock(&h->lock);
  struct pool_source gone = h->old;
  memset(&h->old, 0, sizeof h->old);
  h->draining = false;
  pthread_rwlock_unlock(&h->lock);
  pool_source_free(&gone); /* no share callback can reach it any more */
}

void handover_settle(struct pool_handover *h, struct api_state *api)
{
  finish_drain(h, api);
  pool_source_free(&h->next); /* standby: never routed to */
  h->pending = false;
}

void handover_free(struct pool_handover *h, struct api_state *api)
{
  handover_settle(h, api);
  pool_source_free(&h->cur);
  pthread_rwlock_destroy(&h->lock);
}

bool handover_differs(const struct pool_handover *h, const struct pool_source *next)
{
  return !pool_source_same(h->pending ? &h->next : &h->cur, next);
}

int handover_begin(struct pool_handover *h, struct pool_source *next, synth_runtime *rt)
{
  if (h->pending) { /* a newer change wins over one still waiting */
    pool_source_free(&h->next);
    h->pending = false;
  }
  int rc = next->count ? pool_source_start(next, rt, h->log, true) : 0;
  if (rc != 0) {
    pool_source_free(next);
    return rc;
  }
  h->next = *next;
  memset(next, 0, sizeof *next);
  h->pending = true;
  h->pending_since = h->pending_said = api_now_s();
  return 0;
}

static bool next_ready(struct pool_handover *h)
{
  if (!h->next.count)
    return true; /* the benchmark job: at once */
  struct synth_pool_stats s;
  return synth_pool_stats(h->next.pool, &s, sizeof s) == 0 && s.jobs > 0 && s.connected;
}

/* The pending source takes over. */
static void promote(struct pool_handover *h, struct api_state *api)
{
  finish_drain(h, api); /* one drain at a time: an older one ends now */
  if (h->cur.pool)
    synth_pool_drain(h->cur.pool); /* from here no job of it reaches the runtime */
  pthread_rwlock_wrlock(&h->lock);
  struct pool_source was = h->cur;
  h->cur = h->next;
  memset(&h->next, 0, sizeof h->next);
  h->pending = false;
  if (was.pool) {
    h->old = was;
    h->draining = true;
    h->drain_since = api_now_s();
    memset(&was, 0, sizeof was);
  }
  pthread_rwlock_unlock(&h->lock);
  pool_source_free(&was); /* the benchmark's (nothing), or a solo source never routed here */
  int rc = h->cur.pool ? synth_pool_activate(h->cur.pool) : 0;
  if (rc != 0)
    fprintf(stderr, "synthminer run: warning: the new pool's job was refused: %s\n",
            synth_strerror(rc));
  api_state_set_client(api, h->cur.pool, NULL);
  char url[SYNTH_POOL_URL_MAX + 1];
  text_clean(url, sizeof url, handover_url(h), false);
  if (h->cur.count)
    api_state_note(api, "now mining for %s", url);
  else
    api_state_note(api, "now hashing the benchmark job");
}

bool handover_tick(struct pool_handover *h, struct api_state *api, double now)
{
  bool changed = false;
  if (h->pending && next_ready(h)) {
    promote(h, api);
    changed = true;
  } else if (h->pending && now - h->pending_said >= HANDOVER_PENDING_SAY_S) {
    h->pending_said = now;
    char url[SYNTH_POOL_URL_MAX + 1];
    text_clean(url, sizeof url, h->next.urls[0], false);
    fprintf(stderr,
            "synthminer run: warning: the new pool %s has not sent a job in %.0f s: still mining "
            "on the one in force\n",
            url, now - h->pending_since);
  }
  if (h->draining && now - h->drain_since >= HANDOVER_DRAIN_MIN_S) {
    struct synth_pool_stats s;
    synth_pool_stats(h->old.pool, &s, sizeof s);
    if ((s.kept == 0 && s.in_flight == 0) || now - h->drain_since >= HANDOVER_DRAIN_MAX_S ||
        strcmp(s.state, "stopped") == 0)
      finish_drain(h, api);
  }
  return changed;
}

bool handover_route(struct pool_handover *h, const struct synth_share *share)
{
  bool pooled = true;
  pthread_rwlock_rdlock(&h->lock);
  if (h->draining && synth_pool_owns(h->old.pool, share)) {
    synth_pool_submit(h->old.pool, share);
  } else if (h->cur.pool) {
    synth_pool_submit(h->cur.pool, share);
  } else {
    pooled = false;
    if (h->cur.solo.client) /* a block candidate: counted as the device's, and sent */
      synth_solo_submit(h->cur.solo.client, share);
  }
  pthread_rwlock_unlock(&h->lock);
  return pooled;
}
