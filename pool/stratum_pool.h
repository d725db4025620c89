/* stratum_pool.h: the pool client's state, shared by its connection loop (stratum_client.c) and
 * what one connected session does (stratum_session.c). Internal. */
#ifndef SYNTH_RUNTIME_STRATUM_POOL_H
#define SYNTH_RUNTIME_STRATUM_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/logger.h"
#include "stratum_conn.h"
#include "stratum_shares.h"
#include "stratum_work.h"
#include "synth/miner.h"

#define PENDING_MAX 1024
#define SWITCH_SAMPLES 256

enum request_kind {
  REQ_NONE,
  REQ_CONFIGURE,
  REQ_SUBSCRIBE,
  REQ_AUTHORIZE,
  REQ_EXTRANONCE,
  REQ_SUBMIT
};

struct pending {
  int64_t id;
  enum request_kind kind;
  unsigned device;
  double difficulty; /* of the share's target, for accepted_difficulty */
};

/* The states of one connection, each with its deadline (docs/architecture.md has the table). */
enum conn_state {
  ST_CONNECTING,
  ST_SUBSCRIBING,
  ST_AUTHORIZING,
  ST_WAITING_JOB,
  ST_MINING,
  ST_BACKING_OFF,
  ST_STOPPED
};

/* What the client knows of its current connection and of the session it may resume. */
struct session {
  struct stratum_conn *conn;
  size_t pool;                /* index into the configured pools */
  struct stratum_endpoint ep; /* where it is connected: the pool's, or a reconnect target */
  char url[SYNTH_POOL_URL_MAX + 1];
  struct stratum_session ses;
  enum conn_state state;
  uint64_t state_deadline_ns; /* 0: none */
  uint64_t last_line_ns, owed_since_ns;
  unsigned owed_submits;
  bool subscribed, authorized, rolling, have_job, fresh_session, floor_said;
  uint64_t mining_since_ns;
  int64_t next_id;
  struct pending pending[PENDING_MAX];
  /* Kept across connections: a resumed session (same endpoint, same extranonce1) keeps its
   * epoch and its jobs' shares; any other is a new epoch. */
  uint32_t epoch;
  struct stratum_endpoint last_ep;
  bool had_session;
  struct stratum_valid_jobs jobs;
  char session_id[128]; /* from the subscribe result, offered back to resume */
  /* A clean switch whose arrival at every device is still being timed. */
  uint32_t switch_serial;
  uint64_t switch_notify_ns;
  unsigned seed;
  /* Submit rate cap: a token bucket. */
  double tokens;
  uint64_t tokens_ns, capped_said_ns;
};

/* Whether the client's jobs reach the runtime (synth_pool_activate, synth_pool_drain). */
enum pool_role {
  ROLE_ACTIVE,   /* every job is set on the runtime */
  ROLE_STANDBY,  /* connected, its latest job parked until activated */
  ROLE_DRAINING, /* no job set any more; shares of its jobs still sent, answers counted */
};

/* The job a standby client would set: what it was cut from, and its tag. */
struct parked_job {
  bool set;
  struct stratum_notify notify;
  struct stratum_session ses;
  char tag[24];
  uint32_t first_roll;
};

struct synth_pool {
  synth_runtime *rt;
  struct synth__logger log;
  struct synth_pool_config cfg;
  char **urls;
  struct stratum_endpoint *eps;
  char *user, *password, *ca_file;
  struct stratum_tls_options tls;
  unsigned ndevices;

  pthread_t thread;
  bool started, lock_ready;
  /* Held while a job is set, so that once synth_pool_drain() returns no job of this client
   * reaches the runtime again; role and parked change under it. */
  pthread_mutex_t job_lock;
  enum pool_role role;
  struct parked_job *parked;
  atomic_bool draining; /* the connection loop's view: no reconnect, no failover */
  char tag_prefix[12];
  atomic_bool stopping;
  struct stratum_share_queue queue;
  struct stratum_sent sent;

  /* Figures: counters are atomics, strings, reasons and latency samples under lock. */
  atomic_uint_least64_t found, accepted, rejected, stale, submitted, duplicates, capped, in_flight,
      unanswered, reconnects, failovers, jobs, connects, failed_attempts;
  atomic_uint_least64_t *dev_accepted, *dev_rejected, *dev_stale;
  pthread_mutex_t lock;
  struct synth_pool_stats text; /* url, user, connected, state, difficulty, reasons, job_id */
  double switch_ms[SWITCH_SAMPLES];
  uint64_t switches;
};

static inline void pool_add(atomic_uint_least64_t *c, uint64_t v)
{
  atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

/* stratum_session.c */

/* Runs one connected session (s->conn open) until it ends. Returns what ended it. */
enum session_end {
  END_FAILED,   /* a failure before or while mining: logged, counts as a failed attempt */
  END_REDIRECT, /* client.reconnect to *redirect */
  END_FAILBACK, /* go_back() said a higher pool is back */
  END_STOPPED   /* the client stops */
};
struct redirect {
  bool set;
  struct stratum_endpoint ep;
  unsigned wait_s;
};
enum session_end stratum_session_run(struct synth_pool *p, struct session *s,
                                     struct redirect *redirect, bool (*go_back)(void *), void *arg);

/* The connection state, for the figures. */
void stratum_set_state(struct synth_pool *p, struct session *s, enum conn_state st);

/* What the pool says, logged as "pool URL: ..." once at warn. */
void stratum_session_fail(struct synth_pool *p, struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
