/* pool.h: a Stratum V1 client that feeds a runtime with a pool's jobs and submits its shares. */
#ifndef SYNTH_POOL_H
#define SYNTH_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"
#include "synth/job.h"
#include "synth/log.h"
#include "synth/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synth_pool synth_pool;

/* Longest accepted URL, worker name and password, in bytes (synth_pool_create: SYNTH_EINVAL,
 * said in the log, for a longer one). Pools cut or refuse longer names, so a longer one could
 * never mine. */
#define SYNTH_POOL_URL_MAX 255
#define SYNTH_POOL_USER_MAX 127
#define SYNTH_POOL_PASSWORD_MAX 255

/* Zero-initialise, then set what you need: every zero field means its default. */
struct synth_pool_config {
  /* Pools in priority order: "stratum+tcp://HOST:PORT" or "stratum+ssl://HOST:PORT". The
   * first that answers is used; after failover_after failed attempts in a row the next one is
   * tried, and the client returns to a higher one once a probe of it (connect, subscribe,
   * authorize) succeeds, tried every primary_check_ms. Every failure of an attempt (refused,
   * a deadline below missed, closed, a malformed or refused answer) is logged once and
   * followed by a back-off of retry_min_ms doubling per failure up to retry_max_ms, with
   * jitter; the time the attempt took counts towards it. */
  const char *const *urls;
  size_t url_count;
  const char *user;            /* worker name, sent with every share */
  const char *password;        /* never logged, never in any figure */
  int tls_insecure;            /* accept any certificate (self-signed pools) */
  const char *tls_ca_file;     /* NULL: the system's CA certificates */
  unsigned connect_timeout_ms; /* TCP connect: 5000 */
  unsigned retry_min_ms;       /* first reconnect delay, doubled per failure: 1000 */
  unsigned retry_max_ms;       /* 60000 */
  unsigned failover_after;     /* failed attempts before the next pool: 3 */
  unsigned primary_check_ms;   /* how often a higher pool is tried while on a lower one: 30000 */
  unsigned shares_kept;        /* shares held while disconnected: 1024 */
  synth_log_fn log_fn;         /* NULL: nothing is logged */
  void *log_user;
  enum synth_log_level log_level;
  /* Deadlines of the steps after connect (ms), each a failed attempt when missed. */
  unsigned tls_timeout_ms;       /* TLS handshake: 5000 */
  unsigned subscribe_timeout_ms; /* the answer to mining.subscribe: 5000 */
  unsigned authorize_timeout_ms; /* the answer to mining.authorize: 5000 */
  unsigned first_job_timeout_ms; /* authorized, the first mining.notify: 5000 */
  unsigned reply_timeout_ms;     /* the longest silence while an answer is owed: 10000 */
  /* Shares sent per second at most: 200. Past it shares are counted (capped), not sent: a
   * pool's tiny difficulty cannot make the client flood it. */
  unsigned max_submits_per_s;
  double min_difficulty; /* a lower difficulty from the pool is raised to it: 2^-24 */
  /* Non-zero: the client connects and takes jobs but sets none on the runtime until
   * synth_pool_activate() (a pool change handing over from a running client without a gap). */
  int standby;
};

/* Pool figures; fields are only ever appended: pass sizeof(struct synth_pool_stats). */
struct synth_pool_stats {
  char url[256]; /* the pool in use ("" while none answers); no credentials */
  char user[128];
  int connected;     /* subscribed and authorized */
  uint64_t accepted; /* shares the pool accepted */
  uint64_t rejected; /* shares it rejected for another reason than staleness */
  uint64_t stale;    /* shares of a job the pool had replaced (its answer, or found so here) */
  uint64_t submitted;
  uint64_t duplicates; /* shares not sent because the same one was sent before */
  uint64_t kept;       /* shares waiting for a connection */
  uint64_t reconnects;
  uint64_t failovers;
  uint64_t jobs;              /* mining.notify received */
  double difficulty;          /* the pool's current share difficulty */
  double accepted_difficulty; /* sum of the difficulty of accepted shares */
  char last_reject[128];      /* the pool's reason for the last rejected share */
  char job_id[SYNTH_JOB_ID_MAX + 1];
  /* Clean job switches: from the notify arriving to every device hashing the new job. */
  uint64_t switches;
  double switch_p50_ms, switch_p99_ms, switch_max_ms;
  /* Every share handed to synth_pool_submit ends in exactly one count: once the client is
   * stopped, found = accepted + rejected + stale + duplicates + capped + dropped + kept
   * + in_flight + unanswered. */
  uint64_t found;
  uint64_t capped;     /* not sent: over max_submits_per_s */
  uint64_t dropped;    /* not sent: the oldest, pushed out of a full queue (shares_kept) */
  uint64_t in_flight;  /* sent, its answer not come yet */
  uint64_t unanswered; /* sent, but the connection ended before its answer */
  uint64_t connects;   /* connection attempts, to every pool */
  uint64_t failed_attempts;
  char state[24]; /* "connecting", "subscribing", "authorizing", "waiting for a job", "mining",
                   * "backing off", "stopped" */
  /* Rejects by reason (the pool's text, its code first when it gave one): the first
   * SYNTH_POOL_REASONS distinct reasons, later ones counted under the last ("other"). */
#define SYNTH_POOL_REASONS 8
  struct {
    char reason[64];
    uint64_t count;
  } rejects[SYNTH_POOL_REASONS];
  unsigned reject_reasons; /* how many of rejects[] are used */
  char role[16]; /* "active", "standby" or "draining" (synth_pool_activate, synth_pool_drain) */
};

/*
 * A client for rt (which must outlive it): nothing connects until synth_pool_start(). The
 * runtime's share callback must hand every share to synth_pool_submit(). Returns 0 and *out,
 * or SYNTH_EINVAL (a malformed URL or config, logged), SYNTH_ENOMEM.
 */
SYNTH_EXTERN int synth_pool_create(synth_pool **out, synth_runtime *rt,
                                   const struct synth_pool_config *cfg);

/* Starts the client's thread: it connects, subscribes, authorizes and sets every job it gets
 * on the runtime. Returns 0 or SYNTH_ESYSTEM. */
SYNTH_EXTERN int synth_pool_start(synth_pool *pool);

/* Queues a share for the pool (copied; sent as soon as a connection is up). Never blocks on
 * the network: safe to call from the runtime's share callback. Thread-safe. */
SYNTH_EXTERN void synth_pool_submit(synth_pool *pool, const struct synth_share *share);

/*
 * Handing a runtime over from one client to another (a changed pool list, a switch of pools)
 * without a gap and without losing a share: create the new client with standby set and start
 * it; once its figures show a job (jobs > 0), synth_pool_drain() the old one, then
 * synth_pool_activate() the new one, which sets its latest job at once. Route each share with
 * synth_pool_owns(): the old client still sends the shares of its own jobs and counts their
 * answers; stop it once it has none queued or in flight.
 */

/* Sets the latest job a standby client took (if any) on the runtime, and every job after it.
 * Returns 0 (also when already active), SYNTH_ESTATE for a draining client, or what
 * synth_runtime_set_job() returned (the client stays in standby). Thread-safe. */
SYNTH_EXTERN int synth_pool_activate(synth_pool *pool);

/* From its return on, no job of this client reaches the runtime; it keeps its connection to send
 * the shares of its jobs and count their answers, but neither reconnects nor fails over. NULL is
 * ignored. Thread-safe. */
SYNTH_EXTERN void synth_pool_drain(synth_pool *pool);

/* Whether share was found on one of this client's jobs (its tag). Thread-safe. */
SYNTH_EXTERN int synth_pool_owns(const synth_pool *pool, const struct synth_share *share);

/* Copies the figures (out_size bytes of them). Returns 0 or SYNTH_EINVAL. Thread-safe. */
SYNTH_EXTERN int synth_pool_stats(synth_pool *pool, struct synth_pool_stats *out, size_t out_size);

/* Per-device share counts (device = synth_share.device). Returns 0 or SYNTH_EINVAL. */
SYNTH_EXTERN int synth_pool_device_shares(synth_pool *pool, unsigned device, uint64_t *accepted,
                                          uint64_t *rejected, uint64_t *stale);

/* Disconnects and stops the thread; the figures are final after it (shares still queued count
 * as kept, answers still owed as in_flight). Idempotent; NULL is ignored. */
SYNTH_EXTERN void synth_pool_stop(synth_pool *pool);

/* Disconnects, stops the thread, frees. NULL is ignored. */
SYNTH_EXTERN void synth_pool_destroy(synth_pool *pool);

#ifdef __cplusplus
}
#endif

#endif
