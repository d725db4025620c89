/* run_control.h: changing a running `synthminer run`: reloading its config (SIGHUP, POST
 * /api/reload) and the control API's requests (pause, resume, target latency, power limit,
 * switch pools). Every change is logged and kept for the API and `stats`. */
#ifndef SYNTH_CLI_RUN_CONTROL_H
#define SYNTH_CLI_RUN_CONTROL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <synth/synth.h>

#include "bench_source.h"
#include "pool_handover.h"
#include "run_settings.h"

struct api_state;
struct pool_flags;

#define CONTROL_OVERRIDES 64

struct run_control {
  synth_runtime *rt;
  struct api_state *api;
  struct pool_handover source;
  const struct pool_flags *pool_flags;           /* what a reload loads pools with */
  const struct run_setting_flags *setting_flags; /* and the settings */
  const char *config;                            /* --config, NULL: none */
  struct run_settings settings;                  /* in force */
  struct {                                       /* power limits set through the API */
    char id[32];
    double watts;
  } power[CONTROL_OVERRIDES];
  unsigned npower;
  struct bench_source bench;
  bool bench_on;
  double bench_difficulty;
  pthread_mutex_t lock; /* reloads and requests (API threads) against the main loop */
};

/* Sets c up around a loaded source and settings already in force on rt. Returns 0 or -1. */
int control_init(struct run_control *c, synth_runtime *rt, struct api_state *api,
                 struct pool_source *source, const struct run_settings *settings,
                 struct cli_log *log);
void control_free(struct run_control *c);

/*
 * Re-reads the config under the flags: pools, worker and password, TLS settings, target
 * latency, temperature and power limits. A config that does not load, limits the runtime
 * refuses, or a change only a restart can make (to or from solo mining, or of a node's settings)
 * is refused with one line in msg and nothing changes; else the settings apply at once and other
 * pools take over once they have sent a job (pool_handover.h). Power limits and target
 * latencies set through the API give way to the config's. Returns 0 or 2. Thread-safe.
 */
int control_reload(struct run_control *c, const char *cause, char *msg, size_t size);

/*
 * One control request: path is what follows "/api/" ("pause", "resume", "reload",
 * "devices/ID/pause", "devices/ID/resume", "devices/ID/target-latency" with body {"ms": N},
 * "devices/ID/power-limit" with {"watts": N}, "pool/switch" with {"pool": N}); body may be
 * NULL. Returns the HTTP status (200, 400 bad body, 404 no such device or path, 409 not
 * possible now) with one line in msg. Thread-safe.
 */
unsigned control_request(struct run_control *c, const char *path, json_t *body, char *msg,
                         size_t size);

/* The main loop's turn: the handover, the benchmark job, the job the API shows. Returns 1
 * when the client in force gave up for good (said in the log), else 0. */
int control_tick(struct run_control *c, double now);

#endif
