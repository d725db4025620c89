/* work.c: work over an index range of any workload, submitted through the public API.
 *
 * Lifetimes: a work is reference counted by the caller's handle, by its job (whose data is
 * the work's copy of the caller's data, or what the runtime made of it; the job's last
 * reference drops it) and by the slot while it is in force. It holds a reference on its job only
 * while it runs, so the two never keep each other alive. */
#include "runtime/work.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/clock.h"
#include "scheduler/job.h"
#include "scheduler/scheduler.h"
#include "synth/error.h"

#define RUNNING 1

struct synth_work {
  atomic_uint refs;
  struct synth__sched *sched;
  struct synth__work_slot *slot;
  synth_hit_fn on_hit;
  synth_done_fn on_done;
  void *user;
  uint64_t size; /* 0: open-ended */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int state;                  /* RUNNING, 0 (finished) or SYNTH_ESTALE; under lock */
  bool ending;                /* finish() began: on_done is running; under lock */
  int end_status;             /* what state becomes once on_done returned; under lock */
  pthread_t ender;            /* the thread running on_done; under lock while ending */
  atomic_int running;         /* cleared when it ends, read without the lock by the hit path */
  atomic_uint hits_in_flight; /* on_hit calls under way (or about to check running) */
  struct synth__job *job;     /* referenced while running; under lock */
  uint64_t final_hashed;      /* once it ended */
  _Alignas(16) unsigned char data[];
};

static void unref(struct synth_work *w)
{
  if (atomic_fetch_sub_explicit(&w->refs, 1, memory_order_acq_rel) != 1)
    return;
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->cond);
  free(w);
}

/* The job's owner_put. */
static void job_owner_put(void *owner)
{
  unref(owner);
}

/* The work whose on_hit this thread is inside, so that an on_hit that ends its own work
 * (cancel on the first hit) does not wait for itself. */
static _Thread_local struct synth_work *hit_of_thread;

/* Ends the work once, with status. Callers see it ended (wait returns) only after on_done
 * returned and no on_hit is under way on another thread, so that the caller may free what
 * its callbacks touch. The callbacks run outside the lock. */
static void finish(struct synth_work *w, int status)
{
  pthread_mutex_lock(&w->lock);
  if (w->state != RUNNING || w->ending) {
    /* Another thread is ending it: return once it has. Not from inside an on_hit of this
     * work, though: the ender waits for that on_hit to return. */
    while (w->ending && !pthread_equal(w->ender, pthread_self()) && hit_of_thread != w)
      pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    return;
  }
  w->ending = true;
  w->end_status = status;
  w->ender = pthread_self();
  /* seq_cst against the hit path's count-then-check: either a hit sees running cleared or
   * this sees its count. */
  atomic_store(&w->running, 0);
  struct synth__job *job = w->job;
  w->final_hashed = atomic_load_explicit(&job->hashed, memory_order_acquire);
  w->job = NULL;
  pthread_mutex_unlock(&w->lock);
  synth__job_put(job);
  unsigned own = hit_of_thread == w;
  const struct timespec nap = {0, 50000};
  while (atomic_load(&w->hits_in_flight) > own)
    nanosleep(&nap, NULL);
  if (w->on_done)
    w->on_done(w->user, status);
  pthread_mutex_lock(&w->lock);
  w->state = status;
  w->ending = false;
  pthread_cond_broadcast(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void synth__work_slot_init(struct synth__work_slot *slot)
{
  pthread_mutex_init(&slot->lock, NULL);
  slot->current = NULL;
}

static struct synth_work *take_current(struct synth__work_slot *slot, struct synth_work *with)
{
  pthread_mutex_lock(&slot->lock);
  struct synth_work *old = slot->current;
  slot->current = with;
  pthread_mutex_unlock(&slot->lock);
  return old;
}

void synth__work_slot_clear(struct synth__work_slot *slot)
{
  struct synth_work *old = take_current(slot, NULL);
  if (old) {
    finish(old, SYNTH_ESTALE);
    unref(old);
  }
}

int synth__work_submit(struct synth__work_slot *slot, struct synth__sched *sched,
                       const struct synth_workload *workload, const struct synth_work_config *cfg,
                       const struct synth__work_data *made, synth_work **out)
{
  if (!cfg || !out || (cfg->data_size && !cfg->data) || (cfg->end && cfg->end <= cfg->start))
    return SYNTH_EINVAL;
  size_t copy = made ? 0 : cfg->data_size;
  struct synth_work *w = calloc(1, sizeof *w + copy);
  if (!w)
    return SYNTH_ENOMEM;
  w->sched = sched;
  w->slot = slot;
  w->on_hit = cfg->on_hit;
  w->on_done = cfg->on_done;
  w->user = cfg->user;
  w->size = cfg->end ? cfg->end - cfg->start : 0;
  w->state = RUNNING;
  atomic_init(&w->running, RUNNING);
  pthread_mutex_init(&w->lock, NULL);
  pthread_condattr_t attr; /* deadlines are CLOCK_MONOTONIC (scheduler/clock.h) */
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w->cond, &attr);
  pthread_condattr_destroy(&attr);
  if (copy)
    memcpy(w->data, cfg->data, copy);
  struct synth__job *job;
  int rc = synth__job_create(&job, workload, made ? made->data : w->data,
                             made ? made->data_free : NULL, cfg->start, w->size);
  if (rc != 0) {
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
    return rc;
  }
  job->owner = w;
  job->data_size = made ? made->data_size : cfg->data_size;
  job->owner_put = job_owner_put;
  /* References: the handle, the job, the slot. */
  atomic_init(&w->refs, 3);
  synth__job_get(job);
  w->job = job;
  /* Clean: no hit of the work it replaces arrives after this. */
  pthread_mutex_lock(&slot->lock);
  struct synth_work *old = slot->current;
  slot->current = w;
  synth__sched_set_job(sched, job, true);
  pthread_mutex_unlock(&slot->lock);
  if (old) {
    finish(old, SYNTH_ESTALE);
    unref(old);
  }
  *out = w;
  return 0;
}

void synth__work_hit(void *owner, uint64_t index, const struct synth_verdict *verdict,
                     unsigned device)
{
  struct synth_work *w = owner;
  if (!w->on_hit)
    return;
  atomic_fetch_add(&w->hits_in_flight, 1);
  if (atomic_load(&w->running) == RUNNING) {
    struct synth_work *outer = hit_of_thread;
    hit_of_thread = w;
    w->on_hit(w->user, index, verdict, device);
    hit_of_thread = outer;
  }
  atomic_fetch_sub(&w->hits_in_flight, 1);
}

void synth__work_job_done(void *user, struct synth__job *job)
{
  (void)user;
  if (job->owner)
    finish(job->owner, 0);
}

int synth_work_wait(synth_work *w, unsigned timeout_ms)
{
  if (!w || w->size == 0)
    return SYNTH_EINVAL;
  struct timespec deadline = synth__deadline_ms(timeout_ms);
  pthread_mutex_lock(&w->lock);
  /* on_done itself may ask: it sees the status it was handed rather than waiting on itself. */
  bool in_on_done = w->ending && pthread_equal(w->ender, pthread_self());
  int rc = 0;
  while (w->state == RUNNING && !in_on_done && rc == 0)
    rc = pthread_cond_timedwait(&w->cond, &w->lock, &deadline);
  int state = in_on_done ? w->end_status : w->state;
  pthread_mutex_unlock(&w->lock);
  return state == RUNNING ? SYNTH_ETIMEDOUT : state;
}

void synth_work_cancel(synth_work *w)
{
  if (!w)
    return;
  pthread_mutex_lock(&w->slot->lock);
  bool current = w->slot->current == w;
  if (current)
    w->slot->current = NULL;
  pthread_mutex_unlock(&w->slot->lock);
  pthread_mutex_lock(&w->lock);
  struct synth__job *job = w->job;
  if (job)
    synth__job_get(job);
  pthread_mutex_unlock(&w->lock);
  if (job) {
    synth__sched_cancel_job(w->sched, job);
    synth__job_put(job);
  }
  finish(w, SYNTH_ESTALE);
  if (current)
    unref(w); /* the slot's */
}

uint64_t synth_work_hashed(synth_work *w)
{
  if (!w)
    return 0;
  pthread_mutex_lock(&w->lock);
  uint64_t n =
      w->job ? atomic_load_explicit(&w->job->hashed, memory_order_relaxed) : w->final_hashed;
  pthread_mutex_unlock(&w->lock);
  return n;
}

void synth_work_release(synth_work *w)
{
  if (w)
    unref(w);
}
