/* work.c: work over an index range of any workload, submitted through the public API.
 *
 * Lifetimes: a work is reference counted by the caller's handle, by its job (whose data is
 * the work's copy of the caller's data, or what the runtime made of it; the job's last
 * reference drops it) and by the list while it is in flight. It holds a reference on its job
 * only while it runs, so the two never keep each other alive. */
#include "runtime/work.h"

#include <math.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/callback_guard.h"
#include "base/clock.h"
#include "base/logger.h"
#include "scheduler/job.h"
#include "scheduler/job_set.h"
#include "scheduler/scheduler.h"
#include "synth/error.h"

#define RUNNING 1

struct synth_work {
  atomic_uint refs;
  struct synth__work_list *list;
  struct synth_work *prev, *next; /* in the list while listed; under the list's lock */
  bool listed;
  synth_hit_fn on_hit;
  synth_done_fn on_done;
  void *user;
  bool open_ended; /* submitted without an end: running out of indexes is SYNTH_ERANGE */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int state;                  /* RUNNING, or the status it ended with; under lock */
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

void synth__work_list_init(struct synth__work_list *list, struct synth__sched *sched,
                           const struct synth__logger *log)
{
  pthread_mutex_init(&list->lock, NULL);
  list->head = NULL;
  list->sched = sched;
  list->log = log;
}

/* List lock held. */
static void link_work(struct synth__work_list *list, struct synth_work *w)
{
  w->prev = NULL;
  w->next = list->head;
  if (list->head)
    list->head->prev = w;
  list->head = w;
  w->listed = true;
}

/* List lock held. */
static void unlink_work(struct synth__work_list *list, struct synth_work *w)
{
  if (w->prev)
    w->prev->next = w->next;
  else
    list->head = w->next;
  if (w->next)
    w->next->prev = w->prev;
  w->prev = w->next = NULL;
  w->listed = false;
}

/* Takes w out of the list. Returns whether it was in (the list's reference is then the
 * caller's to drop). */
static bool delist(struct synth_work *w)
{
  pthread_mutex_lock(&w->list->lock);
  bool was = w->listed;
  if (was)
    unlink_work(w->list, w);
  pthread_mutex_unlock(&w->list->lock);
  return was;
}

/* The work whose on_hit this thread is inside, so that an on_hit that ends its own work
 * (cancel on the first hit) does not wait for itself. */
static _Thread_local struct synth_work *hit_of_thread;

/* Ends the work once, with status. Callers see it ended (wait returns) only after on_done
 * returned and no on_hit is under way on another thread, so that the caller may free what
 * its callbacks touch. The callbacks run outside the lock. The caller holds a reference. */
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
  bool listed = delist(w);
  synth__job_put(job);
  unsigned own = hit_of_thread == w;
  const struct timespec nap = {0, 50000};
  while (atomic_load(&w->hits_in_flight) > own)
    nanosleep(&nap, NULL);
  if (w->on_done) {
    synth__callback_enter();
    w->on_done(w->user, status);
    synth__callback_leave();
  }
  pthread_mutex_lock(&w->lock);
  w->state = status;
  w->ending = false;
  pthread_cond_broadcast(&w->cond);
  pthread_mutex_unlock(&w->lock);
  if (listed)
    unref(w);
}

/* Ends w early: its job leaves the scheduler, then on_done gets SYNTH_ESTALE. */
static void cancel(struct synth_work *w)
{
  pthread_mutex_lock(&w->lock);
  struct synth__job *job = w->job;
  if (job)
    synth__job_get(job);
  pthread_mutex_unlock(&w->lock);
  if (job) {
    synth__sched_cancel_job(w->list->sched, job);
    synth__job_put(job);
  }
  finish(w, SYNTH_ESTALE);
}

void synth__work_list_clear(struct synth__work_list *list)
{
  /* Detached whole, with the list's references: a work another thread is ending at the same
   * time then needs nothing more from the list. */
  pthread_mutex_lock(&list->lock);
  struct synth_work *w = list->head;
  list->head = NULL;
  for (struct synth_work *it = w; it; it = it->next)
    it->listed = false;
  pthread_mutex_unlock(&list->lock);
  while (w) {
    struct synth_work *next = w->next;
    w->prev = w->next = NULL;
    cancel(w);
    unref(w);
    w = next;
  }
}

/* Whether cfg is a work the runtime can take; says what is wrong. */
static int check_config(const struct synth__work_list *list, const struct synth_work_config *cfg,
                        bool made)
{
  const struct synth__logger *log = list->log;
  if (!made && (!cfg->data || cfg->data_size == 0)) {
    synth__log_error(log, "submit: work needs data (data %s, data_size %zu)",
                     cfg->data ? "set" : "NULL", cfg->data_size);
    return SYNTH_EINVAL;
  }
  if (cfg->end && cfg->end <= cfg->start) {
    synth__log_error(log, "submit: empty range [%llu, %llu)", (unsigned long long)cfg->start,
                     (unsigned long long)cfg->end);
    return SYNTH_EINVAL;
  }
  if (cfg->weight != 0 && !(isfinite(cfg->weight) && cfg->weight > 0 && cfg->weight <= 1e6)) {
    synth__log_error(log, "submit: weight %g must be above 0 and at most 1e6 (0: 1)", cfg->weight);
    return SYNTH_EINVAL;
  }
  return 0;
}

/* The work's first roll must prepare: data the workload refuses is refused at the door. */
static int check_data(const struct synth__work_list *list, const struct synth_workload *workload,
                      const void *data, size_t size, uint64_t start)
{
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  int rc = workload->prepare_roll(data, size, (uint32_t)(start >> 32), payload);
  if (rc == 0)
    return 0;
  synth__log_error(list->log, "submit: the %s workload refuses this work's data (%zu bytes): %s",
                   workload->name, size, synth_strerror(rc));
  return rc < 0 ? rc : SYNTH_EINVAL;
}

static struct synth_work *work_new(struct synth__work_list *list,
                                   const struct synth_work_config *cfg, size_t copy)
{
  struct synth_work *w = calloc(1, sizeof *w + copy);
  if (!w)
    return NULL;
  w->list = list;
  w->on_hit = cfg->on_hit;
  w->on_done = cfg->on_done;
  w->user = cfg->user;
  w->open_ended = cfg->end == 0;
  w->state = RUNNING;
  atomic_init(&w->running, RUNNING);
  pthread_mutex_init(&w->lock, NULL);
  synth__cond_init_monotonic(&w->cond);
  if (copy)
    memcpy(w->data, cfg->data, copy);
  return w;
}

int synth__work_submit(struct synth__work_list *list, const struct synth_workload *workload,
                       const struct synth_work_config *cfg, const struct synth__work_data *made,
                       synth_work **out)
{
  int rc = check_config(list, cfg, made != NULL);
  const void *data = made ? made->data : cfg->data;
  size_t data_size = made ? made->data_size : cfg->data_size;
  if (rc == 0)
    rc = check_data(list, workload, data, data_size, cfg->start);
  if (rc != 0)
    return rc;
  struct synth_work *w = work_new(list, cfg, made ? 0 : cfg->data_size);
  if (!w)
    return SYNTH_ENOMEM;
  /* Open-ended work runs to 2^64: from start 0 that is for ever (size 0), from any other
   * start a finite range that ends with SYNTH_ERANGE. */
  uint64_t size = cfg->end ? cfg->end - cfg->start : 0 - cfg->start;
  struct synth__job *job;
  rc = synth__job_create(&job, workload, made ? made->data : w->data, made ? made->data_free : NULL,
                         cfg->start, size);
  if (rc != 0) {
    unref(w);
    return rc;
  }
  job->owner = w;
  job->owner_put = job_owner_put;
  job->data_size = data_size;
  job->weight = cfg->weight > 0 ? cfg->weight : 1;
  if (cfg->timeout_ms)
    job->deadline_ns = synth__now_ns() + (uint64_t)cfg->timeout_ms * 1000000u;
  if (cfg->replace)
    synth__work_list_clear(list);
  /* References: the handle, the job, the list. */
  atomic_init(&w->refs, 3);
  synth__job_get(job);
  w->job = job;
  pthread_mutex_lock(&list->lock);
  link_work(list, w);
  rc = synth__sched_add_job(list->sched, job);
  if (rc != 0)
    unlink_work(list, w);
  pthread_mutex_unlock(&list->lock);
  if (rc != 0) {
    if (rc == SYNTH_EAGAIN)
      synth__log_error(list->log, "submit: %d works are in flight already", SYNTH__JOBS_MAX);
    job->data_free = NULL; /* made->data stays the caller's on failure */
    job->owner_put = NULL;
    synth__job_put(job); /* w's */
    synth__job_put(job); /* the job's own */
    atomic_store(&w->refs, 1);
    unref(w);
    return rc;
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

void synth__work_job_done(void *user, struct synth__job *job, int status)
{
  (void)user;
  struct synth_work *w = job->owner;
  if (!w)
    return; /* a mining job */
  finish(w, status == 0 && w->open_ended ? SYNTH_ERANGE : status);
}

int synth_work_wait(synth_work *w, unsigned timeout_ms)
{
  if (!w)
    return SYNTH_EINVAL;
  struct timespec deadline = synth__deadline_ms(timeout_ms);
  pthread_mutex_lock(&w->lock);
  /* on_done itself may ask: it sees the status it was handed rather than waiting on itself. */
  bool in_on_done = w->ending && pthread_equal(w->ender, pthread_self());
  if (!in_on_done && w->state == RUNNING && synth__in_callback()) {
    pthread_mutex_unlock(&w->lock);
    synth__log_error(w->list->log, "synth_work_wait: not from inside a callback (it would wait "
                                   "for the thread it runs on)");
    return SYNTH_EDEADLK;
  }
  int rc = 0;
  while (w->state == RUNNING && !in_on_done && rc == 0)
    rc = pthread_cond_timedwait(&w->cond, &w->lock, &deadline);
  int state = in_on_done ? w->end_status : w->state;
  pthread_mutex_unlock(&w->lock);
  return state == RUNNING ? SYNTH_ETIMEDOUT : state;
}

void synth_work_cancel(synth_work *w)
{
  if (w)
    cancel(w);
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
