/* jobs.c: the jobs in force: set, add, cancel, fail, end; found by id; retired and released. */
#include <stdlib.h>

#include <urcu/urcu-memb.h>

#include "base/clock.h"
#include "base/happens_before.h"
#include "base/logger.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "synth/error.h"

void synth__sched_tell_epoch(struct synth__sched *s, unsigned epoch)
{
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    if (d->ops->epoch_changed)
      d->ops->epoch_changed(d->dev, epoch);
  }
}

struct synth__job *synth__sched_job_by_id(struct synth__sched *s, uint32_t id)
{
  struct synth__job *found = NULL;
  urcu_memb_read_lock();
  struct synth__job_set *set = rcu_dereference(s->jobs);
  if (set) {
    SYNTH_HAPPENS_AFTER(set);
    for (unsigned i = 0; i < set->n; i++) {
      if (set->items[i]->id == id) {
        if (synth__job_tryget(set->items[i]))
          found = set->items[i];
        break;
      }
    }
    SYNTH_HAPPENS_BEFORE(set); /* done with it: ordered before its free after a grace period */
  }
  urcu_memb_read_unlock();
  return found;
}

unsigned synth__sched_jobs(struct synth__sched *s, struct synth__job **out, unsigned max)
{
  unsigned n = 0;
  urcu_memb_read_lock();
  struct synth__job_set *set = rcu_dereference(s->jobs);
  if (set) {
    SYNTH_HAPPENS_AFTER(set);
    for (unsigned i = 0; i < set->n && n < max; i++) {
      if (synth__job_tryget(set->items[i]))
        out[n++] = set->items[i];
    }
    SYNTH_HAPPENS_BEFORE(set);
  }
  urcu_memb_read_unlock();
  return n;
}

/* Hands a job that left the set to the service thread, which releases it after its last
 * batch. Takes over the set's reference. */
static void retire(struct synth__sched *s, struct synth__job *job)
{
  atomic_store_explicit(&job->retired, true, memory_order_relaxed);
  cds_wfcq_node_init(&job->retire_node);
  SYNTH_HAPPENS_BEFORE(job);
  cds_wfcq_enqueue(&s->retire_head, &s->retire_tail, &job->retire_node);
}

/* Control held: makes next the set in force; jobs of the old set not in next are retired, and
 * the old set is freed after a grace period. */
static void publish(struct synth__sched *s, struct synth__job_set *next)
{
  SYNTH_HAPPENS_BEFORE(next); /* published by the exchange, read by job_by_id and jobs */
  struct synth__job_set *old = rcu_xchg_pointer(&s->jobs, next);
  if (!old)
    return;
  for (unsigned i = 0; i < old->n; i++) {
    if (!synth__job_set_has(next, old->items[i]))
      retire(s, old->items[i]);
  }
  cds_wfcq_node_init(&old->retire_node);
  cds_wfcq_enqueue(&s->sets_head, &s->sets_tail, &old->retire_node);
}

/* Control held: the next job id, never 0. */
static void assign_id(struct synth__sched *s, struct synth__job *job)
{
  if (++s->next_job_id == 0)
    s->next_job_id = 1;
  job->id = s->next_job_id;
  job->unit_nonces = s->unit_nonces;
  SYNTH_HAPPENS_BEFORE(job);
}

/* Control held: a new epoch, so scans stop and GPUs end queued launches early. */
static void bump_epoch(struct synth__sched *s)
{
  /* Release: whoever sees the new epoch also sees the old jobs retired. */
  unsigned epoch = atomic_fetch_add_explicit(&s->epoch, 1, memory_order_release) + 1;
  synth__sched_tell_epoch(s, epoch);
}

static void wake_all(struct synth__sched *s)
{
  synth__sched_want_refill(s);
  synth__sched_notify_work(s);
}

int synth__sched_set_job(struct synth__sched *s, struct synth__job *job, bool clean)
{
  if (!job || job->workload->payload_size > SYNTH_PAYLOAD_MAX)
    return SYNTH_EINVAL;
  struct synth__job_set *next = synth__job_set_make(NULL, NULL, NULL, job);
  if (!next)
    return SYNTH_ENOMEM;
  pthread_mutex_lock(&s->control);
  assign_id(s, job);
  /* Every earlier job, not only the one replaced, becomes stale: said before the new job is
   * published, so no device can see the new job while an old one's hits still count. */
  if (clean)
    atomic_store_explicit(&s->clean_floor, job->id, memory_order_release);
  publish(s, next);
  /* A clean job makes the old job's shares worthless: launches of it still queued or running
   * on a GPU end at once. After a plain switch they finish, since their shares still count. */
  if (clean)
    bump_epoch(s);
  else
    atomic_fetch_add_explicit(&s->epoch, 1, memory_order_release);
  pthread_mutex_unlock(&s->control);
  wake_all(s);
  return 0;
}

static bool has_owner(const struct synth__job *job, const void *ctx)
{
  (void)ctx;
  return job->owner != NULL;
}

int synth__sched_add_job(struct synth__sched *s, struct synth__job *job)
{
  if (!job || job->workload->payload_size > SYNTH_PAYLOAD_MAX || !(job->weight > 0))
    return SYNTH_EINVAL;
  int rc = 0;
  pthread_mutex_lock(&s->control);
  struct synth__job_set *old = s->jobs;
  unsigned mining = 0;
  for (unsigned i = 0; old && i < old->n; i++)
    mining += old->items[i]->owner == NULL;
  struct synth__job_set *next = NULL;
  if (old && old->n - mining >= SYNTH__JOBS_MAX)
    rc = SYNTH_EAGAIN;
  else if (!(next = synth__job_set_make(old, has_owner, NULL, job)))
    rc = SYNTH_ENOMEM;
  if (rc == 0) {
    assign_id(s, job);
    for (unsigned i = 0; old && i < old->n; i++) {
      if (old->items[i]->owner == NULL) /* a mining job gives way to submitted work */
        atomic_store_explicit(&old->items[i]->cancelled, true, memory_order_release);
    }
    publish(s, next);
    if (mining)
      bump_epoch(s);
  }
  pthread_mutex_unlock(&s->control);
  if (rc == 0)
    wake_all(s);
  return rc;
}

static bool is_not(const struct synth__job *job, const void *ctx)
{
  return job != ctx;
}

/* Control held: takes job out of the set. Returns whether it was in; false also when out of
 * memory for the new set, which leaves job marked cancelled for the service thread to drop. */
static bool remove_job(struct synth__sched *s, struct synth__job *job)
{
  if (!synth__job_set_has(s->jobs, job))
    return false;
  atomic_store_explicit(&job->cancelled, true, memory_order_release);
  struct synth__job_set *next = synth__job_set_make(s->jobs, is_not, job, NULL);
  if (next)
    publish(s, next);
  bump_epoch(s);
  return true;
}

bool synth__sched_cancel_job(struct synth__sched *s, struct synth__job *job)
{
  if (!job)
    return false;
  pthread_mutex_lock(&s->control);
  bool current = remove_job(s, job);
  pthread_mutex_unlock(&s->control);
  if (current)
    wake_all(s); /* the service thread retires it; idle devices look again */
  return current;
}

void synth__sched_end_job(struct synth__sched *s, struct synth__job *job, int status)
{
  if (atomic_exchange(&job->ended, true))
    return;
  pthread_mutex_lock(&s->wake_lock);
  atomic_store_explicit(&job->complete, status == 0, memory_order_release);
  pthread_cond_broadcast(&s->done_cond);
  pthread_mutex_unlock(&s->wake_lock);
  if (s->cfg.on_done)
    s->cfg.on_done(s->cfg.hit_user, job, status);
  synth__sched_want_refill(s); /* the service thread drops it from the set */
}

void synth__sched_fail_job(struct synth__sched *s, struct synth__job *job, int status)
{
  synth__sched_cancel_job(s, job);
  synth__sched_end_job(s, job, status);
}

int synth__sched_wait_job(struct synth__sched *s, struct synth__job *job, unsigned timeout_ms)
{
  if (job->size == 0)
    return SYNTH_EINVAL;
  struct timespec deadline = synth__deadline_ms(timeout_ms);
  int rc = 0;
  pthread_mutex_lock(&s->wake_lock);
  while (!atomic_load_explicit(&job->complete, memory_order_acquire)) {
    if (pthread_cond_timedwait(&s->done_cond, &s->wake_lock, &deadline) != 0) {
      rc = atomic_load(&job->complete) ? 0 : SYNTH_ETIMEDOUT;
      break;
    }
  }
  pthread_mutex_unlock(&s->wake_lock);
  return rc;
}

/* ---- the service thread's part ----------------------------------------------------------- */

static bool still_wanted(const struct synth__job *job, const void *ctx)
{
  (void)ctx;
  return !atomic_load_explicit(&job->ended, memory_order_acquire) &&
         !atomic_load_explicit(&job->cancelled, memory_order_acquire);
}

/* Drops jobs that ended (or were cancelled while memory was short) from the set. */
static void prune(struct synth__sched *s)
{
  pthread_mutex_lock(&s->control);
  struct synth__job_set *set = s->jobs;
  bool stale = false;
  for (unsigned i = 0; set && i < set->n; i++)
    stale |= !still_wanted(set->items[i], NULL);
  struct synth__job_set *next = stale ? synth__job_set_make(set, still_wanted, NULL, NULL) : NULL;
  if (next)
    publish(s, next);
  pthread_mutex_unlock(&s->control);
}

static bool all_devices_out(const struct synth__sched *s)
{
  for (unsigned i = 0; i < s->ndevices; i++) {
    if (!atomic_load_explicit(&s->devices[i]->failed, memory_order_relaxed))
      return false;
  }
  return s->ndevices > 0;
}

/* Fails jobs past their deadline and, when no device is left, every job. */
static void fail_hopeless(struct synth__sched *s)
{
  struct synth__job *jobs[SYNTH__JOBS_MAX];
  unsigned n = synth__sched_jobs(s, jobs, SYNTH__JOBS_MAX);
  uint64_t now = synth__now_ns();
  bool none_left = n > 0 && all_devices_out(s);
  for (unsigned i = 0; i < n; i++) {
    struct synth__job *job = jobs[i];
    if (none_left) {
      synth__log_error(s->cfg.log, "job %u fails: every device was taken out", job->id);
      synth__sched_fail_job(s, job, SYNTH_ENODEV);
    } else if (job->deadline_ns && now >= job->deadline_ns) {
      synth__log_error(s->cfg.log, "job %u fails: its deadline passed with %llu of %llu hashed",
                       job->id, (unsigned long long)atomic_load(&job->hashed),
                       (unsigned long long)job->size);
      synth__sched_fail_job(s, job, SYNTH_ETIMEDOUT);
    }
    synth__job_put(job);
  }
}

/* Frees a retired job's cached midstates and remembered hits, then the job. */
static void release_retired(struct synth__sched *s, struct synth__job *job)
{
  synth__job_table_drop_job(s->midstates, job->id);
  synth__job_table_drop_job(s->seen, job->id);
  synth__job_put(job);
}

void synth__sched_service_jobs(struct synth__sched *s, struct synth__job **pending)
{
  fail_hopeless(s);
  prune(s);
  struct cds_wfcq_node *node;
  bool fresh = false;
  while ((node = __cds_wfcq_dequeue_blocking(&s->retire_head, &s->retire_tail))) {
    struct synth__job *job = caa_container_of(node, struct synth__job, retire_node);
    SYNTH_HAPPENS_AFTER(job);
    job->retire_next = *pending;
    *pending = job;
    fresh = true;
  }
  struct cds_wfcq_node *sets = NULL, **tail = &sets;
  while ((node = __cds_wfcq_dequeue_blocking(&s->sets_head, &s->sets_tail))) {
    *tail = node;
    tail = &node->next;
    *tail = NULL;
    fresh = true;
  }
  /* After a grace period no device is between reading an old set and taking a reference from
   * it, so a retired job's count can only fall from here, and the old sets can go. */
  if (fresh)
    urcu_memb_synchronize_rcu();
  while (sets) {
    struct cds_wfcq_node *next = sets->next;
    struct synth__job_set *set = caa_container_of(sets, struct synth__job_set, retire_node);
    SYNTH_HAPPENS_AFTER(set); /* every reader's last look came before the grace period ended */
    free(set);
    sets = next;
  }
  for (struct synth__job **link = pending; *link;) {
    struct synth__job *job = *link;
    if (atomic_load_explicit(&job->refs, memory_order_acquire) == 1) {
      *link = job->retire_next;
      release_retired(s, job);
    } else {
      link = &job->retire_next;
    }
  }
}
