/* sched_internal.h: the scheduler's state, shared by its pull, generator, collector and threads. */
#ifndef SYNTH_SCHEDULER_SCHED_INTERNAL_H
#define SYNTH_SCHEDULER_SCHED_INTERNAL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "devices/batch.h"
#include "devices/device.h"
#include "precompute/job_table.h"
#include "scheduler/job_set.h"
#include "scheduler/policy.h"
#include "scheduler/sched_config.h"
#include "scheduler/sensing_state.h"
#include "scheduler/unit_pool.h"
#include "scheduler/unit_queue.h"
#include "telemetry/batch_log.h"
#include "telemetry/device_counters.h"
#include "telemetry/hashrate.h"
#include "telemetry/health.h"
#include "telemetry/reason.h"
#include "telemetry/tuner.h"

/*
 * The part of a batch a device did not hash, waiting for the generator to queue it again.
 * Embedded in the device's batch slot, so giving work back never allocates (and so never
 * fails); the slot is not reused until the generator has taken the remainder.
 */
struct synth__remainder {
  struct cds_wfcq_node node;
  uint32_t job_id;
  struct synth__range range;
  atomic_bool pending;
};

struct synth__slot {
  struct synth__batch batch;
  struct synth__remainder remainder;
  uint64_t t_start_ns; /* when the device could start it: submitted, and the one before done */
  bool in_flight;      /* device-thread-only, as is the rest */
  /* Given up on (the device fell sick): its units went back to the queues, and whatever the
   * device still returns for it only counts towards the device's own figures. */
  bool abandoned;
};

struct synth__sched_device {
  struct synth__unit_queue queue; /* cache-line aligned inside */
  struct synth__device_counters counters;
  struct synth__ewma ewma;
  struct synth__rate_horizons rates;
  struct synth__tuner tuner;
  struct synth__health health;
  uint64_t last_done_ns; /* device-thread-only: when its latest batch came back */

  struct synth__sched *sched;
  unsigned index;
  const struct synth__device_ops *ops;
  void *dev;
  struct synth__device_desc desc;
  struct synth__slot *slots; /* ops->max_inflight of them */
  unsigned nslots;
  pthread_t thread;
  atomic_bool failed; /* taken out: its queue is no longer refilled */
  /* Paused by the caller (synth__sched_set_paused). Kept apart from the thread's own flags
   * below: a compiler may read neighbouring plain bools as one word. */
  atomic_bool paused;
  struct synth__batch_log log;
  /* The newest job the device has hashed, and when its first batch of it could start: how
   * long a job switch takes to reach the device. Written by its thread. */
  atomic_uint job_started_id;
  atomic_uint_least64_t job_started_ns;
  /* Sensors (scheduler/sensing.h): its source (NULL: none), its nonces at the source's first
   * reading plus one (0: not yet), and, device-thread-only, when the duty cycle lets it submit
   * again and whether it stopped for heat. */
  struct synth__sensor_source *sensor;
  atomic_uint_least64_t sensed_nonces0;
  uint64_t resume_ns;
  bool hot;
  /* Its thread's view of paused, so that it gives its work back once, when it first sees it. */
  bool pause_seen;
  double default_target_s; /* the target latency it was added with */
  /* Where its thread runs: a GPU's feeder beside it (devices/pci_locality.h), a CPU worker on its
   * core. Written by its thread as it starts. */
  struct synth__reason placed;
};

struct synth__sched {
  struct synth__sched_config cfg;
  const struct synth__sched_policy *policy; /* fixed at create */
  uint32_t unit_nonces;
  struct synth__unit_pool *pool;
  struct synth__job_table *midstates; /* roll payloads: (job id, roll) -> payload */
  struct synth__job_table *seen;      /* hits already counted: (job id, index) */

  struct synth__sched_device **devices;
  unsigned ndevices;

  struct synth__job_set *jobs;   /* jobs in force: RCU-protected, replaced under control */
  alignas(64) atomic_uint epoch; /* bumped on every job switch and stop: scans poll it */
  atomic_uint clean_floor;       /* id of the last clean job: hits of older jobs are stale */
  atomic_bool stopping;

  /* Control path (set_job, start, stop): serialized by one mutex, never on the hash path.
   * stop joins the threads without it, so a callback on a device thread may still cancel or
   * submit while a stop waits for that thread. */
  pthread_mutex_t control;
  pthread_cond_t control_cond; /* a stop in progress finished */
  bool running;
  bool stopping_now; /* a stop is joining the threads */
  bool ever_started;
  double vtime; /* generator-private: the pass a job joining now starts from */
  uint32_t next_job_id;
  pthread_t service;
  struct synth__sensing sensing; /* the devices' sensors and their thread */

  /* Wake-ups: devices wait for work, the generator waits for demand. */
  pthread_mutex_t wake_lock;
  pthread_cond_t work_cond;
  pthread_cond_t gen_cond;
  pthread_cond_t done_cond;
  atomic_uint work_seq;
  atomic_uint waiters;
  atomic_bool gen_wanted;

  /* Jobs replaced, waiting for their last batches (any thread enqueues, service dequeues). */
  struct __cds_wfcq_head retire_head;
  struct cds_wfcq_tail retire_tail;
  /* Job sets replaced, freed after a grace period (control enqueues, service dequeues). */
  struct __cds_wfcq_head sets_head;
  struct cds_wfcq_tail sets_tail;
  /* Remainders devices gave back (device threads enqueue, service dequeues). */
  struct __cds_wfcq_head returned_head;
  struct cds_wfcq_tail returned_tail;

  atomic_uint_least64_t stale_nonces;
  atomic_uint_least64_t aborted_nonces;
  atomic_uint_least64_t requeued_nonces;
  atomic_uint_least64_t steals;
  /* When the service thread last went round its loop (0: not running): the watchdog's view. */
  atomic_uint_least64_t service_beat_ns;
};

/* jobs.c: the job in force with this id, with a reference taken, or NULL. Registered
 * threads only. */
struct synth__job *synth__sched_job_by_id(struct synth__sched *s, uint32_t id);

/* jobs.c: references on up to max jobs in force into out; returns how many. Registered
 * threads only. */
unsigned synth__sched_jobs(struct synth__sched *s, struct synth__job **out, unsigned max);

/* jobs.c, service thread: releases retired jobs whose last batch is done and replaced sets
 * (after a grace period); drops jobs that ended from the set, fails jobs past their deadline
 * and, when every device is out, every job. pending is the service thread's list head. */
void synth__sched_service_jobs(struct synth__sched *s, struct synth__job **pending);

/* jobs.c: a job ended by itself: calls on_done once. Any thread. */
void synth__sched_end_job(struct synth__sched *s, struct synth__job *job, int status);

/* jobs.c: tells every device that can end queued launches early that the epoch moved. */
void synth__sched_tell_epoch(struct synth__sched *s, unsigned epoch);

/* pull.c: fills batch with the next range for device d. Returns true when it did. */
bool synth__sched_pull(struct synth__sched *s, struct synth__sched_device *d,
                       struct synth__batch *batch);

/* generator.c: requeues remainders and has the policy top up the device queues from the jobs in
 * force. Service thread only. Returns true when it queued anything. */
bool synth__generator_refill(struct synth__sched *s);

/* collector.c: accounts a finished batch, verifies its hits, gives back what was not hashed,
 * feeds the tuner, the health state and the batch log, and drops the batch's job reference.
 * Returns what the health state makes of it. Device thread only. */
enum synth__health_action synth__collector_complete(struct synth__sched *s,
                                                    struct synth__sched_device *d,
                                                    struct synth__slot *slot);

/* collector.c: gives a batch still in flight back to the queues whole and marks the slot
 * abandoned. Device thread only. */
void synth__collector_abandon(struct synth__sched *s, struct synth__slot *slot);

/* device_thread.c: a device's worker thread. */
void *synth__device_thread(void *arg);

/* scheduler.c: wake-up helpers. */
void synth__sched_want_refill(struct synth__sched *s);
void synth__sched_notify_work(struct synth__sched *s);
void synth__sched_wait_work(struct synth__sched *s, unsigned seen_seq, unsigned timeout_ms);
/* Waits @ms, or until the scheduler stops: a device held back by a limit. */
void synth__sched_pause_ms(struct synth__sched *s, unsigned ms);

/* Whether the device should get no new work: taken out, sick, or paused. */
static inline bool synth__device_benched(struct synth__sched_device *d)
{
  return atomic_load_explicit(&d->failed, memory_order_relaxed) ||
         synth__health_state(&d->health) == SYNTH_DEVICE_SICK ||
         atomic_load_explicit(&d->paused, memory_order_relaxed);
}

/* Whether the device has lost priority: under work stealing others take its queued work first,
 * and it takes no one else's but for its probe. */
static inline bool synth__device_demoted(struct synth__sched_device *d)
{
  enum synth_device_state st = synth__health_state(&d->health);
  return st == SYNTH_DEVICE_BACKING_OFF || st == SYNTH_DEVICE_SICK || st == SYNTH_DEVICE_OUT ||
         atomic_load_explicit(&d->failed, memory_order_relaxed) ||
         atomic_load_explicit(&d->paused, memory_order_relaxed);
}

/* Whether hits of job no longer count: it was cancelled, or a clean job came after it. */
static inline bool synth__job_is_stale(struct synth__sched *s, const struct synth__job *job)
{
  if (atomic_load_explicit(&job->cancelled, memory_order_acquire))
    return true;
  /* Acquire pairs with set_job's release: a hit verified after a clean switch sees its floor. */
  unsigned floor = atomic_load_explicit(&s->clean_floor, memory_order_acquire);
  return floor != 0 && synth__job_newer(floor, job->id);
}

/* Low and high marks of a device's queue, in nonces: refill below low, up to high (the
 * work-stealing policy's; a device asks for a refill below low under any policy). A device that
 * keeps several batches in flight takes that many at once, so its queue holds a batch more than
 * its slots before it asks. */
static inline uint64_t synth__queue_low_mark(struct synth__sched_device *d)
{
  return (d->nslots + 1) * synth__tuner_batch(&d->tuner);
}

static inline uint64_t synth__queue_high_mark(struct synth__sched_device *d)
{
  return (d->nslots + 3) * synth__tuner_batch(&d->tuner);
}

#endif
