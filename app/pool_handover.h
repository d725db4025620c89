/* pool_handover.h: where `run`'s work comes from (the benchmark job, a node, Stratum pools),
 * and moving from one to another while hashing: a reload with other pools, a switch of pools. */
#ifndef SYNTH_CLI_POOL_HANDOVER_H
#define SYNTH_CLI_POOL_HANDOVER_H

#include <pthread.h>
#include <stdbool.h>

#include <synth/synth.h>

#include "pool_source.h"

struct api_state;
struct cli_log;

/*
 * A new Stratum source starts in standby: connected, its jobs parked. Once it has one, the
 * source in force drains (no job of it reaches the runtime again; the shares of its jobs still
 * go to its pool and their answers are counted) and the new one is activated: its job is set at
 * once, so the devices never idle. The old client stops once nothing of it is queued or in
 * flight (at least DRAIN_MIN_S after the switch, at most DRAIN_MAX_S), with a line saying what
 * its pool answered. A new source that never answers leaves the old one mining, said every
 * PENDING_SAY_S. The benchmark job has no client: it takes over, or is replaced, at once.
 */
#define HANDOVER_DRAIN_MIN_S 1.0
#define HANDOVER_DRAIN_MAX_S 30.0
#define HANDOVER_PENDING_SAY_S 30.0

struct pool_handover {
  struct pool_source cur;  /* in force; count 0: the benchmark job */
  struct pool_source next; /* waiting for its first job, when pending */
  struct pool_source old;  /* handing its last shares in, when draining */
  bool pending, draining;
  double pending_since, pending_said, drain_since;
  pthread_rwlock_t lock; /* the share callback (readers) against the swaps */
  struct cli_log *log;
};

/* Takes cur (already loaded; its client is started by the caller). Returns 0 or -1. */
int handover_init(struct pool_handover *h, struct pool_source *cur, struct cli_log *log);

/* At the run's end, once hashing stopped: a client still draining stops (its line said, its
 * answers in the API's figures) and a pending one is dropped, so the final report is whole. */
void handover_settle(struct pool_handover *h, struct api_state *api);

/* Stops and frees every source. */
void handover_free(struct pool_handover *h, struct api_state *api);

/* Whether next names other work than the source in force (or the one pending). */
bool handover_differs(const struct pool_handover *h, const struct pool_source *next);

/* Starts moving to next (taken over: *next is emptied): a Stratum source's client starts in
 * standby; a pending one it replaces is dropped. Returns 0, or prints why and returns 1 or 2
 * (next freed, nothing changed). */
int handover_begin(struct pool_handover *h, struct pool_source *next, synth_runtime *rt);

/* Moves on: activates a pending source that has a job, ends a drain that is done. Returns true
 * when the source in force changed (the caller then starts or stops the benchmark job). */
bool handover_tick(struct pool_handover *h, struct api_state *api, double now);

/* Hands a share to the client whose job it was found on. Returns whether a pool took it (its
 * answers count it); false for the benchmark job and a node's block candidate (sent), which the
 * caller counts. Thread-safe: called from device threads. */
bool handover_route(struct pool_handover *h, const struct synth_share *share);

/* The URL in force, "" for the benchmark job. */
const char *handover_url(const struct pool_handover *h);

#endif
