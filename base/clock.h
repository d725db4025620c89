/* clock.h: monotonic time in nanoseconds, the one clock telemetry and deadlines use. */
#ifndef SYNTH_SCHEDULER_CLOCK_H
#define SYNTH_SCHEDULER_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t synth__now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* now + ms as an absolute CLOCK_MONOTONIC deadline, for pthread_cond_timedwait on a
 * condition variable created with that clock. */
static inline struct timespec synth__deadline_ms(unsigned ms)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

/* Initializes @cond to time its waits on CLOCK_MONOTONIC, as synth__deadline_ms's deadlines
 * are. */
static inline void synth__cond_init_monotonic(pthread_cond_t *cond)
{
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(cond, &attr);
  pthread_condattr_destroy(&attr);
}

#endif
