/* hashrate.h: a device's hashrate, smoothed (EWMA) and over a rolling window of snapshots. */
#ifndef SYNTH_TELEMETRY_HASHRATE_H
#define SYNTH_TELEMETRY_HASHRATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/*
 * EWMA over irregular samples: each batch adds (nonces, time since the previous sample), with
 * weight 1 - exp(-dt / tau), so the time constant holds whatever the batch size. One writer
 * (the device thread), any readers; the rate is published as an atomic double.
 */
struct synth__ewma {
  _Atomic double rate; /* H/s */
  double tau_s;
  uint64_t last_ns; /* writer-only */
};

void synth__ewma_init(struct synth__ewma *e, double tau_s);
void synth__ewma_add(struct synth__ewma *e, uint64_t nonces, uint64_t now_ns);
double synth__ewma_rate(struct synth__ewma *e);

/*
 * The last SYNTH_RATE_WINDOW snapshots of a device's cumulative nonce count, at most one per
 * period, offered by the scheduler's service thread about once a second; a rate is the slope
 * between two snapshots. Away from the hashing path, so a mutex guards it.
 */
#define SYNTH_RATE_WINDOW 30

struct synth__rate_window {
  pthread_mutex_t lock;
  uint64_t period_ns;
  uint64_t t_ns[SYNTH_RATE_WINDOW];
  uint64_t nonces[SYNTH_RATE_WINDOW];
  unsigned next;
  unsigned count;
};

/* period_ns 0 keeps every snapshot offered. */
void synth__rate_window_init(struct synth__rate_window *w, uint64_t period_ns);
void synth__rate_window_destroy(struct synth__rate_window *w);
/* Keeps the snapshot when a period has passed since the newest one kept. */
void synth__rate_window_sample(struct synth__rate_window *w, uint64_t now_ns, uint64_t nonces);
/* H/s over the whole window, 0 until two snapshots exist. */
double synth__rate_window_rate(struct synth__rate_window *w);
/* H/s from the newest snapshot back to the oldest one no more than horizon_ns before it (the
 * oldest there is while the window is younger than that). 0 until two snapshots exist. */
double synth__rate_window_rate_over(struct synth__rate_window *w, uint64_t horizon_ns);

/* 10 s, 60 s and 15 min averages from three windows of 30 snapshots: 1 s, 2 s and 30 s apart. */
struct synth__rate_horizons {
  struct synth__rate_window seconds, minute, quarter;
};

void synth__rate_horizons_init(struct synth__rate_horizons *h);
void synth__rate_horizons_destroy(struct synth__rate_horizons *h);
void synth__rate_horizons_sample(struct synth__rate_horizons *h, uint64_t now_ns, uint64_t nonces);
void synth__rate_horizons_get(struct synth__rate_horizons *h, double *r10s, double *r60s,
                              double *r15m);

#endif
