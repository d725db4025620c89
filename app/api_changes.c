/* api_changes.c: what changes under a running API: the client a reload swaps in, the answers
 * of those it replaced, and the log of changes made while running. */
#include <stdarg.h>
#include <stdio.h>

#include "api_snapshot.h"

void api_state_set_client(struct api_state *s, synth_pool *client, synth_solo *solo)
{
  pthread_mutex_lock(&s->client_lock);
  s->client = client;
  s->solo = solo;
  pthread_mutex_unlock(&s->client_lock);
}

void api_state_retire(struct api_state *s, synth_pool *client)
{
  struct synth_pool_stats ps;
  if (!client || synth_pool_stats(client, &ps, sizeof ps) != 0)
    return;
  pthread_mutex_lock(&s->client_lock);
  for (unsigned i = 0; i < s->count; i++) {
    uint64_t a = 0, r = 0, st = 0;
    synth_pool_device_shares(client, i, &a, &r, &st);
    s->retired_accepted[i] += a;
    s->retired_rejected[i] += r;
    s->retired_stale[i] += st;
  }
  s->replaced.clients++;
  s->replaced.found += ps.found;
  s->replaced.accepted += ps.accepted;
  s->replaced.rejected += ps.rejected;
  s->replaced.stale += ps.stale;
  s->replaced.unanswered += ps.unanswered + ps.in_flight;
  s->replaced.kept += ps.kept;
  pthread_mutex_unlock(&s->client_lock);
}

void api_state_note(struct api_state *s, const char *fmt, ...)
{
  char what[sizeof s->changes[0].what];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  fprintf(stderr, "synthminer run: %s\n", what);
  pthread_mutex_lock(&s->lock);
  unsigned i = s->nchanges++ % API_CHANGES;
  s->changes[i].t_s = api_now_s() - s->start_s;
  snprintf(s->changes[i].what, sizeof s->changes[i].what, "%s", what);
  pthread_mutex_unlock(&s->lock);
}
