/* sched_config.h: what a scheduler is created with: its units, callbacks and health limits. */
#ifndef SYNTH_SCHEDULER_SCHED_CONFIG_H
#define SYNTH_SCHEDULER_SCHED_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "scheduler/job.h"
#include "synth/workload.h"
#include "telemetry/health.h"

struct synth__logger;
struct synth__sched;
struct synth__sched_policy;

/* Called for every verified, de-duplicated hit of a job that is not stale, on the thread of
 * the device that found it, with the hit's roll and that roll's payload. */
typedef void (*synth__hit_fn)(void *user, struct synth__job *job, const void *payload,
                              uint32_t roll, uint32_t nonce, const struct synth_verdict *verdict,
                              unsigned device);

struct synth__sched_config {
  unsigned unit_log2;   /* nonces per WorkUnit as a power of two; 0 means 14 */
  size_t max_units;     /* bound on units in queues; 0 means 65536 */
  synth__hit_fn on_hit; /* may be NULL */
  void *hit_user;
  /* Called once per job that ends by itself: status 0 when every index of a finite job was
   * hashed (on the device thread that finished it), or the code it failed with (its roll
   * could not be prepared, its deadline passed, no device is left to run it) on the thread
   * that found out. Not for jobs replaced or cancelled: their owner ended them. user is
   * hit_user. May be NULL. */
  void (*on_done)(void *user, struct synth__job *job, int status);
  const struct synth__logger *log;          /* may be NULL; must outlive the scheduler */
  const struct synth__sched_policy *policy; /* NULL: the default (scheduler/policy.h) */
  /* Health thresholds (see telemetry/health.h); zero fields get the defaults. A batch is
   * overrun only once it also ran batch_timeout_ms; 0 means 2000. */
  unsigned batch_timeout_ms;
  struct synth__health_config health;
};

#endif
