/* pool_source.h: `run` mining for a Stratum pool: flags, the JSON config file, the client. */
#ifndef SYNTH_CLI_POOL_SOURCE_H
#define SYNTH_CLI_POOL_SOURCE_H

#include <stdbool.h>

#include <synth/synth.h>

#include "options.h"
#include "solo_source.h"

struct api_state;
struct cli_log;

struct pool_flags {
  struct cli_list urls;  /* -o, in priority order */
  const char *user;      /* -u */
  const char *password;  /* -p */
  const char *pass_file; /* --pass-file FILE */
  const char *config;    /* -c FILE */
  bool tls_insecure;
  const char *tls_ca;
  unsigned timeout_ms;     /* --pool-timeout: every connection step's deadline (0: 5000) */
  unsigned failover_after; /* --failover-after (0: 3) */
  struct solo_flags solo;  /* with an http:// -o: solo mining from a node */
};

/* clang-format off */
#define POOL_OPTIONS(f)                                                                    \
  {"--url", 'o', CLI_LIST, &(f).urls, 1, CLI_LIST_MAX, "URL",                              \
   "pool: stratum+tcp://HOST:PORT or stratum+ssl://HOST:PORT; repeat for failover; or a "  \
   "node: http://HOST:PORT (solo, with --coinbase-addr)"},                                  \
  {"--user", 'u', CLI_STRING, &(f).user, 0, 0, "USER",                                     \
   "pool worker name, or the node's RPC user"},                                             \
  {"--pass", 'p', CLI_STRING, &(f).password, 0, 0, "PASS",                                 \
   "pool password (default x); other users see it in ps: prefer --pass-file or -c"},      \
  {"--pass-file", 0, CLI_STRING, &(f).pass_file, 0, 0, "FILE",                             \
   "pool password: FILE's first line (else -c's, else $SYNTHMINER_POOL_PASS)"},           \
  {"--config", 'c', CLI_STRING, &(f).config, 0, 0, "FILE",                                 \
   "JSON file with pools, user, pass or pass_file, tls_insecure, tls_ca (flags win)"},    \
  {"--tls-insecure", 0, CLI_FLAG, &(f).tls_insecure, 0, 0, NULL,                           \
   "accept a pool's self-signed certificate"},                                             \
  {"--tls-ca", 0, CLI_STRING, &(f).tls_ca, 0, 0, "FILE",                                   \
   "CA certificates to verify the pool with (default: the system's)"},                      \
  {"--pool-timeout", 0, CLI_UINT, &(f).timeout_ms, 100, 600000, "MS",                       \
   "deadline of each connection step: connect, TLS, subscribe, authorize, first job "        \
   "(default 5000; an owed answer gets twice it)"},                                          \
  {"--failover-after", 0, CLI_UINT, &(f).failover_after, 1, 1000, "N",                      \
   "failed attempts in a row before the next -o (default 3)"},                              \
  SOLO_OPTIONS((f).solo)
/* clang-format on */

/* The pool settings after the config file is merged under the flags. */
struct pool_source {
  char *urls[CLI_LIST_MAX];
  unsigned count;
  char *user, *password, *tls_ca;
  bool tls_insecure;
  unsigned timeout_ms, failover_after;
  synth_pool *pool;
  struct solo_source solo; /* solo.on: the URL is a node's, solo.client mines from it */
};

/* The environment variable a password comes from when neither a flag nor the config gives one. */
#define POOL_PASS_ENV "SYNTHMINER_POOL_PASS"

/*
 * Reads the config file, if any, under the flags. The password is the first of -p,
 * --pass-file, the config's "pass" or "pass_file", $SYNTHMINER_POOL_PASS; none: the client's
 * default. Every URL, worker name and password given on the command line or in the config is
 * checked against the client's limits (SYNTH_POOL_*_MAX), and every password file named is
 * read, used or not; the environment only when it is used. Returns 0 with count 0 when no pool
 * is configured, 0 with the pools, or prints one line (never a password) and returns 2 (1 when
 * memory ran out).
 */
int pool_source_load(struct pool_source *ps, const struct pool_flags *f);

/* Creates and starts the client for rt; standby: a Stratum client that sets no job until
 * synth_pool_activate() (a handover, pool_handover.h). Returns 0, or prints why and returns 1 or
 * 2. */
int pool_source_start(struct pool_source *ps, synth_runtime *rt, struct cli_log *log, bool standby);

/* Whether a and b name the same pools with the same settings (clients not compared). */
bool pool_source_same(const struct pool_source *a, const struct pool_source *b);

/* A Stratum source's settings into dst (no client), its pools starting at index first and
 * wrapping around: a switch of pools keeps the others as failover. Returns 0 or -1 (memory;
 * dst is then freed by pool_source_free). */
int pool_source_copy_from(struct pool_source *dst, const struct pool_source *src, unsigned first);

/* Copies the job in force to the API's picture. Returns 1 when the client gave up for good
 * (a solo address for another chain: said in the log), else 0. */
int pool_source_tick(struct pool_source *ps, struct api_state *api);

/* One line on stderr: the pool's answers to this run's shares. */
void pool_source_report(struct pool_source *ps);

/* Stops the client (if started) and frees everything. */
void pool_source_free(struct pool_source *ps);

#endif
