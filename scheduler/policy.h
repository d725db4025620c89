/* policy.h: a named scheduling policy: how the generator fills the device queues, whether an idle
 * device takes from another's queue, and how the end of a finite job is split. */
#ifndef SYNTH_SCHEDULER_POLICY_H
#define SYNTH_SCHEDULER_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct synth__job;
struct synth__sched;
struct synth__sched_device;
struct synth__take_result;

/*
 * One const table per policy, chosen when the scheduler is created and fixed for its life.
 * Nothing here is called per unit: refill once per generator round and requeue_to once per run
 * of given-back work (service thread); steal only when a device's own queue had nothing, and
 * tail_split once per batch of a finite job (device threads).
 */
struct synth__sched_policy {
  const char *name;        /* what synth_runtime_config.scheduler_policy names */
  const char *description; /* one line, for the log */
  /* Tops up the queues of live devices from the jobs in force (the caller holds a reference on
   * each) and moves work off devices that cannot run it, unless idle devices steal it. Returns
   * whether it queued anything. Service thread. */
  bool (*refill)(struct synth__sched *s, struct synth__job **jobs, unsigned njobs);
  /* Where the next run of given-back work goes, and in *run how many nonces of it (at least one
   * unit is put there). Service thread. */
  struct synth__sched_device *(*requeue_to)(struct synth__sched *s, uint64_t *run);
  /* d's own queue had nothing: may take at most want nonces from another queue into res. A
   * demoted device is asked only while it probes. d's thread. */
  void (*steal)(struct synth__sched *s, struct synth__sched_device *d, uint64_t want,
                struct synth__take_result *res);
  /* The most nonces of finite job one batch may take, given the tuner's want; NULL: want. Any
   * device thread. */
  uint64_t (*tail_split)(struct synth__sched *s, struct synth__job *job, uint64_t want);
};

/* policy_steal.c: the default. Each queue between low and high marks of its own batches, idle
 * devices steal, batches shrink near the end. */
extern const struct synth__sched_policy synth__policy_work_stealing;
/* policy_rate.c: work placed by measured rate, no stealing, the tail split so devices end
 * together. */
extern const struct synth__sched_policy synth__policy_rate;

/* policy.c: the policy called name (NULL: the default), or NULL when there is none. */
const struct synth__sched_policy *synth__sched_policy_find(const char *name);

/* ---- what the scheduler lends its policies ---- */

/* generator.c: the job to cut from next, by stride scheduling over weights; NULL when none has
 * work left to cut. Service thread. */
struct synth__job *synth__generator_next_job(struct synth__sched *s, struct synth__job **jobs,
                                             unsigned njobs);

/* generator.c: cuts up to chunk nonces of job (whole units, so up to a unit more) into d's queue
 * and charges them to the job's pass. Returns the nonces queued: fewer when the job ran out or
 * the unit pool is empty (*starved), 0 when a roll cannot be prepared (the job is then failed).
 * Service thread. */
uint64_t synth__generator_feed(struct synth__sched *s, struct synth__sched_device *d,
                               struct synth__job *job, uint64_t chunk, bool *starved);

/* pull.c: tries to take a batch of at most want nonces from victim's queue without blocking,
 * dropping units of jobs gone on the way. Returns 0 (res->taken may still be 0) or SYNTH_EAGAIN
 * when another thread is taking from it. Device threads. */
int synth__pull_from(struct synth__sched *s, struct synth__sched_device *victim, uint64_t want,
                     struct synth__take_result *res);

#endif
