/* api_snapshot.h: one JSON picture of a running `synthminer run`, for the API and --json. */
#ifndef SYNTH_CLI_API_SNAPSHOT_H
#define SYNTH_CLI_API_SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>
#include <synth/solo.h>
#include <synth/synth.h>

/*
 * What a snapshot is built from. Synchronization:
 *   rt             set once before any reader; its stats calls are thread-safe
 *   accepted[]     atomics, written by device threads (share callback), read by anyone
 *   job_*          under lock: the main loop writes, API threads read
 */
struct api_state {
  synth_runtime *rt;
  double start_s; /* CLOCK_MONOTONIC seconds when hashing started */
  unsigned count; /* devices, and entries of accepted */
  atomic_ulong *accepted;
  pthread_mutex_t lock;
  char job_id[64];
  char job_source[24];
  double job_difficulty;
  /* Under client_lock (a reload swaps them, api_state_set_client): when mining for a pool,
   * share counts and the pool object come from the client (the pool's own answers), not from
   * the benchmark's count. The clients a reload replaced add their answers to retired_* (per
   * device) and replaced (the pool object's "replaced"). */
  pthread_mutex_t client_lock;
  synth_pool *client;
  synth_solo *solo; /* solo mining: the node's figures go under "solo" */
  uint64_t *retired_accepted, *retired_rejected, *retired_stale;
  struct {
    unsigned clients;
    uint64_t found, accepted, rejected, stale, unanswered, kept;
  } replaced;
  /* The latest changes made while running (reloads, control requests), oldest first; under
   * lock. */
#define API_CHANGES 16
  struct {
    double t_s; /* uptime when it was made */
    char what[320];
  } changes[API_CHANGES];
  unsigned nchanges; /* made in all; the last API_CHANGES are kept */
};

/* Sets up s for rt's devices, the clock starting now. Returns 0, or SYNTH_ENOMEM. */
int api_state_init(struct api_state *s, synth_runtime *rt);
void api_state_free(struct api_state *s);

/* Counts one share the runtime delivered for device index (ignored when out of range).
 * Thread-safe and lock-free: called from the share callback on device threads. */
void api_state_count_share(struct api_state *s, unsigned device);

/* The client whose figures the API shows from now on (either may be NULL). Thread-safe. */
void api_state_set_client(struct api_state *s, synth_pool *client, synth_solo *solo);

/* Adds a stopped client's final answers to the retired figures, before it is destroyed.
 * Thread-safe. */
void api_state_retire(struct api_state *s, synth_pool *client);

/* Logs "synthminer run: CHANGE" on stderr (changes are rare and asked for: always said) and
 * keeps it for the API and `stats`. Thread-safe. */
void api_state_note(struct api_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the job in force. Thread-safe. */
void api_state_set_job(struct api_state *s, const char *id, const char *source, double difficulty);

/* CLOCK_MONOTONIC in seconds. */
double api_now_s(void);

/*
 * The whole picture: {"version", "uptime_s", "devices", "total", "job", "pool"} (see
 * docs/cli.md). Returns a new reference, or NULL when out of memory. Thread-safe.
 */
json_t *api_snapshot(struct api_state *s);

/* The device of snapshot whose "id" is id (a borrowed reference), or NULL. */
json_t *api_snapshot_device(json_t *snapshot, const char *id);

/*
 * The final report of `synthminer run --json`: the fields it always had (a device's hashrate
 * is nonces / seconds, latency_ms the last batch's; "job" the source name) and the
 * snapshot's telemetry beside them. Returns a new reference, or NULL when out of memory.
 */
json_t *api_final_report(struct api_state *s, double elapsed_s);

#endif
