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
 * The last SYNTH_RATE_WINDOW snapshots of a device's cumulative nonce count, taken by the
 * scheduler's service thread about once a second; the rate is the slope from the oldest to the
 * newest. Away from the hashing path, so a mutex guards it.
 */
#define SYNTH_RATE_WINDOW 30

struct synth__rate_window {
  pthread_mutex_t lock;
  uint64_t t_ns[SYNTH_RATE_WINDOW];
  uint64_t nonces[SYNTH_RATE_WINDOW];
  unsigned next;
  unsigned count;
};

void synth__rate_window_init(struct synth__rate_window *w);
void synth__rate_window_destroy(struct synth__rate_window *w);
void synth__rate_window_sample(struct synth__rate_window *w, uint64_t now_ns, uint64_t nonces);
/* H/s over the window, 0 until two snapshots exist. */
double synth__rate_window_rate(struct synth__rate_window *w);

#endif
