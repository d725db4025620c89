/* stratum_probe.h: is a higher pool back? A whole handshake in the background, to fail back on. */
#ifndef SYNTH_RUNTIME_STRATUM_PROBE_H
#define SYNTH_RUNTIME_STRATUM_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "stratum_conn.h"

/* What a probe needs; the strings and options must outlive it. */
struct stratum_probe_config {
  struct stratum_endpoint ep;
  const struct stratum_tls_options *tls;
  const char *user, *password;
  unsigned connect_ms, tls_ms, answer_ms; /* answer_ms: subscribe and authorize, each */
};

struct stratum_probe {
  struct stratum_probe_config cfg;
  pthread_t thread;
  bool running;       /* a thread to join */
  atomic_int outcome; /* 0 while it runs, 1 the pool subscribed and authorized us, -1 not */
  atomic_bool cancel;
  char why[256]; /* why it failed, once outcome is -1 */
};

/* Starts a probe: connect, mining.subscribe, mining.authorize, each within its deadline.
 * Returns 0, or -1 when no thread could be started. */
int stratum_probe_start(struct stratum_probe *pr, const struct stratum_probe_config *cfg);

/* 0 while it runs; then 1 or -1 (and the thread is joined). */
int stratum_probe_poll(struct stratum_probe *pr);

/* Stops a probe still running and joins it. */
void stratum_probe_cancel(struct stratum_probe *pr);

#endif
