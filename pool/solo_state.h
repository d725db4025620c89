/* solo_state.h: the solo client's state, shared by its threads: the node worker
 * (solo_worker.c: templates, blocks), the long poller (solo_longpoll.c), the ZMQ listener
 * (solo_zmq.c) and the API around them (solo_client.c). Internal. */
#ifndef SYNTH_POOL_SOLO_STATE_H
#define SYNTH_POOL_SOLO_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/logger.h"
#include "pool/solo_address.h"
#include "pool/solo_job.h"
#include "pool/solo_rpc.h"
#include "synth/miner.h"
#include "synth/solo.h"

#define SOLO_QUEUE_MAX 64 /* shares waiting for the worker; past it they count as unsent */
#define SOLO_SLOTS 4      /* templates kept, for shares of a job replaced without clean */
#define SOLO_SENT_MAX 64  /* hashes of blocks sent, to never send one twice */
#define SOLO_SAMPLES 256  /* switch times kept per source */
#define SOLO_LONGPOLL_MS (30u * 60 * 1000) /* a long poll's wait before it is asked again */

/* A share waiting for the worker, its job id copied. */
struct solo_queued {
  struct synth_share share;
  char job_id[SYNTH_JOB_ID_MAX + 1];
};

enum solo_source { SOLO_FROM_LONGPOLL, SOLO_FROM_ZMQ, SOLO_SOURCES };

/* A template and the job built from it. */
struct solo_slot {
  bool used;
  bool spent; /* a block was accepted on its previous block: its shares are stale */
  struct synth__solo_template tpl;
  struct synth__solo_job job;
};

struct synth_solo {
  synth_runtime *rt;
  struct synth__logger log;
  struct synth_solo_config cfg; /* strings point to the copies below */
  char *url, *user, *password, *cookie_file, *address, *zmq_url, *ca_file;
  uint8_t tag[SYNTH_SOLO_TAG_MAX];
  size_t tag_len;
  struct synth__rpc_node node; /* auth set by the worker before each round of calls */
  unsigned ndevices;
  int64_t next_id;

  pthread_t worker, poller, listener;
  bool started, poller_started, listener_started, lock_ready;
  atomic_bool stopping;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* the worker's: a share, a template, a hint, stop */

  /* Under lock. */
  struct solo_queued queue[SOLO_QUEUE_MAX];
  size_t qhead, qlen;
  struct synth__rpc_node poll_node; /* the poller's copy of node, auth included */
  char longpollid[SYNTH__SOLO_TEMPLATE_LONGPOLL_MAX + 1];
  uint64_t template_gen; /* each installed template bumps it: the poller then asks again */
  pthread_cond_t poll_wake;
  struct synth__solo_template incoming; /* a long poll's answer, for the worker */
  bool have_incoming, zmq_hint;
  uint64_t incoming_ns, zmq_ns;
  struct synth_solo_stats text; /* strings, height, age base, results, switch figures */
  uint64_t template_ns;         /* when the template mined now arrived */
  double switch_ms[SOLO_SOURCES][SOLO_SAMPLES];

  /* The worker's own. */
  struct solo_slot slots[SOLO_SLOTS];
  int current; /* slot mined now, -1 before the first */
  unsigned next_slot;
  uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
  size_t script_len;
  enum synth__solo_chain chain;
  uint8_t sent[SOLO_SENT_MAX][32];
  unsigned nsent;
  uint32_t switch_serial; /* a switch being timed, 0 for none */
  uint64_t switch_news_ns;
  enum solo_source switch_source;

  atomic_uint_least64_t found, submitted, accepted, rejected, inconclusive, duplicate_answers,
      unanswered, duplicates, stale, unsent, templates, longpolls, zmq_blocks, rpc_errors,
      proposals, proposals_rejected;
};

static inline void solo_add(atomic_uint_least64_t *c, uint64_t v)
{
  atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

/* The next JSON-RPC id (ids only tell answers apart in logs; calls do not overlap). */
static inline int64_t solo_id(struct synth_solo *s)
{
  return __atomic_add_fetch(&s->next_id, 1, __ATOMIC_RELAXED);
}

/* getblocktemplate's request object: segwit rules and the capabilities we use, with the
 * long poll id when @longpollid is not NULL. */
json_t *solo_gbt_params(const char *longpollid);

/* Sets the state shown in the figures (under lock). */
void solo_set_state(struct synth_solo *s, const char *state);

/* Waits on the worker's condition for at most @ms, or until stop. Returns false when stopping. */
bool solo_pause(struct synth_solo *s, unsigned ms);

/* The back-off after @failures failures in a row: retry_min doubled, capped, with jitter. */
unsigned solo_backoff_ms(const struct synth_solo *s, unsigned failures, unsigned *seed);

/* The threads. */
void *solo_worker_main(void *arg);
void *solo_longpoll_main(void *arg);
void *solo_zmq_main(void *arg);

/* Whether this build can listen to ZMQ. */
bool solo_zmq_available(void);

#endif
