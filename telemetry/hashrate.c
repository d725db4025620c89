/* hashrate.c: a device's hashrate, smoothed (EWMA) and over a rolling window of snapshots. */
#include "telemetry/hashrate.h"

#include <math.h>

void synth__ewma_init(struct synth__ewma *e, double tau_s)
{
  atomic_init(&e->rate, 0.0);
  e->tau_s = tau_s;
  e->last_ns = 0;
}

void synth__ewma_add(struct synth__ewma *e, uint64_t nonces, uint64_t now_ns)
{
  if (e->last_ns == 0 || now_ns <= e->last_ns) {
    e->last_ns = now_ns; /* the first sample only starts the clock */
    return;
  }
  double dt = (double)(now_ns - e->last_ns) * 1e-9;
  double sample = (double)nonces / dt;
  double rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
  if (rate == 0.0)
    rate = sample;
  else
    rate += (sample - rate) * (1.0 - exp(-dt / e->tau_s));
  atomic_store_explicit(&e->rate, rate, memory_order_relaxed);
  e->last_ns = now_ns;
}

double synth__ewma_rate(struct synth__ewma *e)
{
  return atomic_load_explicit(&e->rate, memory_order_relaxed);
}

void synth__rate_window_init(struct synth__rate_window *w, uint64_t period_ns)
{
  pthread_mutex_init(&w->lock, NULL);
  w->period_ns = period_ns;
  w->next = 0;
  w->count = 0;
}

void synth__rate_window_destroy(struct synth__rate_window *w)
{
  pthread_mutex_destroy(&w->lock);
}

void synth__rate_window_sample(struct synth__rate_window *w, uint64_t now_ns, uint64_t nonces)
{
  pthread_mutex_lock(&w->lock);
  if (w->count > 0) {
    unsigned newest = (w->next + SYNTH_RATE_WINDOW - 1) % SYNTH_RATE_WINDOW;
    /* A little early still counts: the service thread's ticks jitter around the period. */
    if (now_ns - w->t_ns[newest] < w->period_ns - w->period_ns / 10) {
      pthread_mutex_unlock(&w->lock);
      return;
    }
  }
  w->t_ns[w->next] = now_ns;
  w->nonces[w->next] = nonces;
  w->next = (w->next + 1) % SYNTH_RATE_WINDOW;
  if (w->count < SYNTH_RATE_WINDOW)
    w->count++;
  pthread_mutex_unlock(&w->lock);
}

double synth__rate_window_rate_over(struct synth__rate_window *w, uint64_t horizon_ns)
{
  double rate = 0;
  pthread_mutex_lock(&w->lock);
  if (w->count >= 2) {
    unsigned newest = (w->next + SYNTH_RATE_WINDOW - 1) % SYNTH_RATE_WINDOW;
    unsigned oldest = newest;
    /* Walk back while the next older snapshot is still within the horizon. */
    for (unsigned k = 1; k < w->count; k++) {
      unsigned i = (newest + SYNTH_RATE_WINDOW - k) % SYNTH_RATE_WINDOW;
      if (w->t_ns[newest] - w->t_ns[i] > horizon_ns + horizon_ns / 20)
        break;
      oldest = i;
    }
    if (oldest == newest) /* the horizon is shorter than a period: the last period */
      oldest = (newest + SYNTH_RATE_WINDOW - 1) % SYNTH_RATE_WINDOW;
    uint64_t dt = w->t_ns[newest] - w->t_ns[oldest];
    if (dt > 0)
      rate = (double)(w->nonces[newest] - w->nonces[oldest]) / ((double)dt * 1e-9);
  }
  pthread_mutex_unlock(&w->lock);
  return rate;
}

double synth__rate_window_rate(struct synth__rate_window *w)
{
  return synth__rate_window_rate_over(w, UINT64_MAX / 2);
}

#define SECOND_NS 1000000000ull

void synth__rate_horizons_init(struct synth__rate_horizons *h)
{
  synth__rate_window_init(&h->seconds, SECOND_NS);
  synth__rate_window_init(&h->minute, 2 * SECOND_NS);
  synth__rate_window_init(&h->quarter, 30 * SECOND_NS);
}

void synth__rate_horizons_destroy(struct synth__rate_horizons *h)
{
  synth__rate_window_destroy(&h->seconds);
  synth__rate_window_destroy(&h->minute);
  synth__rate_window_destroy(&h->quarter);
}

void synth__rate_horizons_sample(struct synth__rate_horizons *h, uint64_t now_ns, uint64_t nonces)
{
  synth__rate_window_sample(&h->seconds, now_ns, nonces);
  synth__rate_window_sample(&h->minute, now_ns, nonces);
  synth__rate_window_sample(&h->quarter, now_ns, nonces);
}

/* Until the long windows hold two snapshots, a shorter one stands in for them. */
void synth__rate_horizons_get(struct synth__rate_horizons *h, double *r10s, double *r60s,
                              double *r15m)
{
  *r10s = synth__rate_window_rate_over(&h->seconds, 10 * SECOND_NS);
  *r60s = synth__rate_window_rate_over(&h->minute, 60 * SECOND_NS);
  if (*r60s == 0)
    *r60s = synth__rate_window_rate(&h->seconds);
  *r15m = synth__rate_window_rate_over(&h->quarter, 900 * SECOND_NS);
  if (*r15m == 0)
    *r15m = *r60s;
}
