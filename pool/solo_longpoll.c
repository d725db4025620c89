/* solo_longpoll.c: BIP 22 long polling on its own connection: getblocktemplate with the
 * current longpollid waits at the node until the template changes; the answer goes to the
 * worker as the next template. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "pool/solo_state.h"

/* Waits until the worker installed a template newer than @gen that has a long poll id; copies
 * it and the node. Returns false when stopping. */
static bool next_poll(struct synth_solo *s, uint64_t gen, char *id, struct synth__rpc_node *node,
                      uint64_t *got_gen)
{
  pthread_mutex_lock(&s->lock);
  while (!atomic_load(&s->stopping) && (s->template_gen == gen || !s->longpollid[0]))
    pthread_cond_wait(&s->poll_wake, &s->lock);
  memcpy(id, s->longpollid, sizeof s->longpollid);
  *node = s->poll_node;
  *got_gen = s->template_gen;
  pthread_mutex_unlock(&s->lock);
  return !atomic_load(&s->stopping);
}

/* Sleeps @ms on the poller's own condition, or until stop. */
static bool poll_pause(struct synth_solo *s, unsigned ms)
{
  struct timespec until = synth__deadline_ms(ms);
  pthread_mutex_lock(&s->lock);
  if (!atomic_load(&s->stopping))
    pthread_cond_timedwait(&s->poll_wake, &s->lock, &until);
  pthread_mutex_unlock(&s->lock);
  return !atomic_load(&s->stopping);
}

void *solo_longpoll_main(void *arg)
{
  struct synth_solo *s = arg;
  uint64_t gen = 0;
  unsigned failures = 0, seed = (unsigned)synth__now_ns() ^ 0x5eedu;
  char id[SYNTH__SOLO_TEMPLATE_LONGPOLL_MAX + 1];
  struct synth__rpc_node node;
  while (next_poll(s, gen, id, &node, &gen)) {
    struct synth__rpc_answer a;
    enum synth__rpc_status st = synth__rpc_call(&node, "getblocktemplate", solo_gbt_params(id),
                                                solo_id(s), SOLO_LONGPOLL_MS, &s->stopping, &a);
    explicit_bzero(&node, sizeof node);
    /* the news came with the answer's first line: reading and parsing it are the client's */
    uint64_t got_ns = a.answered_ns ? a.answered_ns : synth__now_ns();
    if (st == SYNTH__RPC_STOPPED)
      break;
    struct synth__solo_template t;
    char err[192] = "";
    bool parsed =
        st == SYNTH__RPC_OK && synth__solo_template_parse(a.result, &t, err, sizeof err) == 0;
    if (parsed && t.longpollid && strcmp(t.longpollid, id) == 0) {
      /* An answer that is no news (the same long poll id): a node that answers at once would
       * otherwise be asked in a tight loop. */
      synth__solo_template_free(&t);
      parsed = false;
      snprintf(err, sizeof err, "answered with the same longpollid");
    }
    if (parsed) {
      failures = 0;
      pthread_mutex_lock(&s->lock);
      synth__solo_template_free(&s->incoming);
      s->incoming = t;
      s->incoming_ns = got_ns;
      s->have_incoming = true;
      pthread_cond_signal(&s->wake);
      pthread_mutex_unlock(&s->lock);
    } else {
      /* The worker's own calls report the node's state; here a word at debug, and a pause. */
      solo_add(&s->rpc_errors, 1);
      synth__log_debug(&s->log, "node %s: long poll: %s %s", s->url, synth__rpc_status_name(st),
                       err[0] ? err : a.message);
      gen--; /* ask again with the same id after the pause */
      if (!poll_pause(s, solo_backoff_ms(s, ++failures, &seed)))
        break;
    }
    json_decref(a.result);
  }
  return NULL;
}
