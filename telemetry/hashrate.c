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

void synth__rate_window_init(struct synth__rate_window *w)
{
  pthread_mutex_init(&w->lock, NULL);
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
  w->t_ns[w->next] = now_ns;
  w->nonces[w->next] = nonces;
  w->next = (w->next + 1) % SYNTH_RATE_WINDOW;
  if (w->count < SYNTH_RATE_WINDOW)
    w->count++;
  pthread_mutex_unlock(&w->lock);
}

double synth__rate_window_rate(struct synth__rate_window *w)
{
  double rate = 0;
  pthread_mutex_lock(&w->lock);
  if (w->count >= 2) {
    unsigned newest = (w->next + SYNTH_RATE_WINDOW - 1) % SYNTH_RATE_WINDOW;
    unsigned oldest = (w->next + SYNTH_RATE_WINDOW - w->count) % SYNTH_RATE_WINDOW;
    uint64_t dt = w->t_ns[newest] - w->t_ns[oldest];
    if (dt > 0)
      rate = (double)(w->nonces[newest] - w->nonces[oldest]) / ((double)dt * 1e-9);
  }
  pthread_mutex_unlock(&w->lock);
  return rate;
}
