/* test_pool.h: a loopback Stratum V1 pool for integration tests, on its own thread. */
#ifndef SYNTH_TESTS_TEST_POOL_H
#define SYNTH_TESTS_TEST_POOL_H

#include <stdint.h>

/*
 * The pool speaks Stratum V1 (newline-delimited JSON-RPC over TCP, optionally TLS) on
 * 127.0.0.1 and an ephemeral port, to any number of connections at once, and validates every
 * share itself with OpenSSL. Its jobs are Bitcoin block 100000 (support/block100000.h) with the
 * extranonce inserted after the coinbase's scriptSig; job n (n = 0, 1, ...) has
 * ntime = 1293623863 + n and job id "%08x" of n.
 *
 * A connection gets mining.set_difficulty and the current job (clean_jobs true) as soon as it
 * is both subscribed and authorized, whichever comes last; test_pool_notify and the other
 * broadcasts go to those "ready" connections only.
 *
 * Share checks, in order, with their replies (error [code, message, null]) and counters:
 *   not ready (unsubscribed or unauthorized)      24 "Unauthorized worker"   rejected_other
 *   params not 5 or 6 strings, bad hex or length  20 "Malformed ..."         rejected_malformed
 *   worker not authorized on this connection      24 "Unauthorized worker"   rejected_other
 *   a job made stale by a later clean notify      21 "Stale share"           rejected_stale
 *   any other job id not sent on this connection  21 "Job not found"         rejected_bad_job
 *   version bits outside the negotiated mask      20 "Malformed version..."  rejected_malformed
 *   ntime outside [job ntime, job ntime + 7200]   20 "ntime out of range"    rejected_other
 *   the same header already accepted              22 "Duplicate share"       rejected_duplicate
 *   hash above the job's share target             23 "Low difficulty share" rejected_low_difficulty
 * The target is (0xffff << 208) / difficulty, the difficulty being the one in force on that
 * connection when the job was sent. With version rolling the header's version is
 * (job version & ~mask) | (version_bits & mask).
 *
 * Every function below is thread-safe unless it says otherwise; those that change what the
 * pool sends return once the pool thread has handled them and written their messages (as far
 * as the sockets take them), so messages go out in call order.
 */

struct test_pool;

struct test_pool_config {
  const char *extranonce1_hex; /* NULL: "f000000f" */
  unsigned extranonce2_size;   /* 0: 4 */
  double difficulty;           /* initial share difficulty; 0: 1/65536 */
  int version_rolling;         /* answer mining.configure version-rolling, mask 0x1fffe000 */
  int tls;                     /* serve TLS with a fresh self-signed EC P-256 certificate */
  const char *user, *password; /* when set, mining.authorize checks them (else anyone) */
  /* Send exactly block 100000's coinbase split (support/block100000.h): extranonce1 "02",
   * extranonce2 size 2, the real ntime for job 0; extranonce1_hex and extranonce2_size are
   * then ignored. */
  int real_block_job;
  /* A misbehaving pool, for the client's robustness tests (TEST_POOL_HONEST: none). */
  int behaviour;
  /* Every share is answered as a reject in this shape (0: judged honestly; the judgement is
   * still counted): TEST_POOL_REJECT_*. */
  int reject_shape;
  uint32_t job_version; /* the jobs' version; 0: block 100000's (1) */
  /* A mining.subscribe offering the id of an earlier connection's session gets that session's
   * extranonce1 and jobs back (its shares stay valid), as pools that resume sessions do. */
  int resume_sessions;
};

enum {
  TEST_POOL_HONEST,
  TEST_POOL_SILENT,           /* accepts TCP and reads, never writes */
  TEST_POOL_TRICKLE,          /* writes one byte a second */
  TEST_POOL_CLOSE_AT_ONCE,    /* closes every connection as soon as it is accepted */
  TEST_POOL_BAD_SUBSCRIBE,    /* answers mining.subscribe with a malformed result */
  TEST_POOL_REJECT_AUTHORIZE, /* refuses every mining.authorize (24 "Unauthorized worker") */
};

enum {
  TEST_POOL_REJECT_ARRAY = 1, /* "error": [23, "Low difficulty share", null]   (a reject) */
  TEST_POOL_REJECT_STRING,    /* "error": "Stale share"                        (stale) */
  TEST_POOL_REJECT_OBJECT,    /* "error": {"code": 23, "message": "Above target"} (a reject) */
  TEST_POOL_REJECT_CKPOOL,    /* "result": false, "reject-reason": "Stale"     (stale) */
  TEST_POOL_REJECT_HUGE_CODE, /* "error": [123456789012345678901234, "Odd", null] (a reject) */
};

struct test_pool_stats {
  /* Connections accepted ever, and open now. */
  unsigned connections, open_connections;
  /* Requests received, by method. */
  unsigned subscribes, authorizes, authorize_failures, configures, extranonce_subscribes;
  unsigned submits, unknown_methods, parse_errors, oversized_lines;
  /* Share outcomes: every submit counts in exactly one. */
  unsigned accepted, rejected_stale, rejected_duplicate, rejected_low_difficulty;
  unsigned rejected_bad_job, rejected_malformed, rejected_other;
  /* Stale shares sent after the same connection had sent a share of the clean job that made
   * them stale: the client knew of the switch and sent them anyway (a share in flight at the
   * switch arrives before any share of the new job, and is not counted here). */
  unsigned stale_after_switch;
  /* Shares whose header differs between the OR reading of the version bits (ckpool: job
   * version | bits) and BIP 310's replace reading; they are rejected as low difficulty. */
  unsigned version_readings_differ;
  unsigned sessions_resumed; /* subscribes that got an earlier session back */
  /* Accepted shares whose version had rolled bits set. */
  unsigned accepted_version_rolled;
  /* Sum of the share difficulty (the job's) of accepted shares. */
  double accepted_difficulty;
  unsigned notifies;            /* test_pool_notify calls */
  unsigned get_version_answers; /* answers to the pool's client.get_version */
  char last_user_agent[128];    /* mining.subscribe params[0] */
  char last_user[128];          /* mining.authorize params[0] */
  char last_worker[128];        /* mining.submit params[0] */
  char last_version[128];       /* the last client.get_version answer */
  /* Monotonic ns (CLOCK_MONOTONIC) of the last test_pool_notify, and of the first mining.submit
   * naming that job, whatever its outcome (0 until one arrives): the job-switch latency. */
  uint64_t last_notify_ns, first_share_after_notify_ns;
};

/* Starts a pool listening on 127.0.0.1 on an ephemeral port; cfg may be NULL (all defaults).
 * Returns 0 and *out, or -1 (socket, thread, TLS or bad config failure) and *out = NULL. */
int test_pool_start(struct test_pool **out, const struct test_pool_config *cfg);

/* Stops the thread, closes everything and frees the pool. NULL-safe. Not concurrent with any
 * other call on the same pool. */
void test_pool_stop(struct test_pool *p);

/* The TCP port it listens on (the same after test_pool_revive). */
unsigned test_pool_port(const struct test_pool *p);

/* The certificate as PEM (a client may trust it as its CA file: it is self-signed, CN
 * localhost, SAN DNS:localhost and IP:127.0.0.1), or NULL without TLS. Valid until stop. */
const char *test_pool_cert_pem(const struct test_pool *p);

/* A new job to every ready connection; clean != 0 makes every earlier job stale. */
void test_pool_notify(struct test_pool *p, int clean);

/* mining.set_difficulty d to every ready connection; jobs sent after it carry d (as pools do:
 * shares for earlier jobs are still judged by the earlier difficulty). New connections get d. */
void test_pool_set_difficulty(struct test_pool *p, double d);

/* mining.set_extranonce to the subscribed connections that sent mining.extranonce.subscribe;
 * their jobs sent after it use the new values, as do connections subscribing later (the others
 * keep theirs). Returns at once if en1_hex is not 0..16 bytes of hex, en2_size is not 1..16, or
 * the pool serves the real block job. */
void test_pool_set_extranonce(struct test_pool *p, const char *en1_hex, unsigned en2_size);

/* mining.set_version_mask to the connections that negotiated version rolling; their submits
 * are checked against the new mask from then on, and later negotiations offer it. */
void test_pool_set_version_mask(struct test_pool *p, uint32_t mask);

/* Sends line plus '\n' as is to every open connection (subscribed or not): hostile input. */
void test_pool_send_raw(struct test_pool *p, const char *line);

/* client.reconnect [host, port, wait_s] to every ready connection (the pool keeps them open). */
void test_pool_reconnect(struct test_pool *p, const char *host, unsigned port, unsigned wait_s);

/* client.show_message [msg] to every ready connection. */
void test_pool_show_message(struct test_pool *p, const char *msg);

/* client.get_version (a request with an id) to every ready connection; answers are counted in
 * get_version_answers. */
void test_pool_get_version(struct test_pool *p);

/* Closes every connection but keeps listening: a pool that dropped its clients. */
void test_pool_drop(struct test_pool *p);

/* While on != 0 the pool still reads, handles and counts requests but sends no Stratum message
 * at all (the TLS handshake still runs): a pool that hangs, for a client's timeouts. */
void test_pool_mute(struct test_pool *p, int on);

/* Closes every connection and the listener: the pool is down (connecting is refused). */
void test_pool_kill(struct test_pool *p);

/* Listens again on the same port after test_pool_kill. Returns 0 (also when not killed), or -1
 * when the port cannot be bound again. */
int test_pool_revive(struct test_pool *p);

/* A consistent snapshot of the counters. */
void test_pool_stats(struct test_pool *p, struct test_pool_stats *out);

/* Polls the counters every millisecond until pred(stats, arg) is non-zero. Returns 0 then, or
 * -1 after timeout_ms. */
int test_pool_wait(struct test_pool *p, int (*pred)(const struct test_pool_stats *, void *),
                   void *arg, unsigned timeout_ms);

#endif
