/* scheduler.c: the scheduler's lifecycle, job switching, wake-ups and its service thread. */
#include "scheduler/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "base/callback_guard.h"
#include "base/clock.h"
#include "base/happens_before.h"
#include "base/logger.h"
#include "base/rcu_thread.h"
#include "scheduler/sched_internal.h"
#include "scheduler/sensing.h"
#include "synth/error.h"

#define DEFAULT_UNIT_LOG2 14
#define DEFAULT_MAX_UNITS 65536
#define DEFAULT_BATCH_TIMEOUT_MS 2000
#define MAX_BATCH_NONCES (1ull << 31)
#define SERVICE_TICK_MS 20
#define WINDOW_PERIOD_NS 1000000000ull
/* Batches the latency percentiles are taken over. */
#define LATENCY_BATCHES 64

int synth__sched_create(struct synth__sched **out, const struct synth__sched_config *cfg)
{
  unsigned unit_log2 = cfg->unit_log2 ? cfg->unit_log2 : DEFAULT_UNIT_LOG2;
  if (unit_log2 < 8 || unit_log2 > 24)
    return SYNTH_EINVAL;
  struct synth__sched *s = aligned_alloc(64, sizeof *s);
  if (!s)
    return SYNTH_ENOMEM;
  memset(s, 0, sizeof *s);
  s->cfg = *cfg;
  s->policy = cfg->policy ? cfg->policy : synth__sched_policy_find(NULL);
  if (!s->cfg.batch_timeout_ms)
    s->cfg.batch_timeout_ms = DEFAULT_BATCH_TIMEOUT_MS;
  s->cfg.health.overrun_floor_ns = (uint64_t)s->cfg.batch_timeout_ms * 1000000u;
  synth__health_config_defaults(&s->cfg.health);
  s->unit_nonces = 1u << unit_log2;
  int rc = synth__unit_pool_create(&s->pool, cfg->max_units ? cfg->max_units : DEFAULT_MAX_UNITS);
  if (rc == 0)
    rc = synth__job_table_create(&s->midstates, SYNTH_PAYLOAD_MAX);
  if (rc == 0)
    rc = synth__job_table_create(&s->seen, 0);
  if (rc != 0) {
    synth__job_table_destroy(s->midstates);
    synth__unit_pool_destroy(s->pool);
    free(s);
    return rc;
  }
  atomic_init(&s->epoch, 0);
  atomic_init(&s->clean_floor, 0);
  atomic_init(&s->stopping, false);
  atomic_init(&s->work_seq, 0);
  atomic_init(&s->waiters, 0);
  atomic_init(&s->gen_wanted, false);
  pthread_mutex_init(&s->control, NULL);
  pthread_cond_init(&s->control_cond, NULL);
  pthread_mutex_init(&s->wake_lock, NULL);
  synth__cond_init_monotonic(&s->work_cond);
  synth__cond_init_monotonic(&s->gen_cond);
  synth__cond_init_monotonic(&s->done_cond);
  __cds_wfcq_init(&s->retire_head, &s->retire_tail);
  __cds_wfcq_init(&s->sets_head, &s->sets_tail);
  __cds_wfcq_init(&s->returned_head, &s->returned_tail);
  *out = s;
  return 0;
}

static void free_device(struct synth__sched_device *d)
{
  if (!d)
    return;
  if (d->slots) {
    for (unsigned i = 0; i < d->nslots; i++)
      free(d->slots[i].batch.payload);
    free(d->slots);
  }
  synth__rate_horizons_destroy(&d->rates);
  free(d);
}

int synth__sched_add_device(struct synth__sched *s, const struct synth__device_ops *ops, void *dev,
                            const struct synth__device_desc *desc, double target_latency_s)
{
  int rc = SYNTH_ENOMEM;
  pthread_mutex_lock(&s->control);
  if (s->ever_started) {
    rc = SYNTH_ESTATE;
    goto fail;
  }
  struct synth__sched_device **grown = realloc(s->devices, (s->ndevices + 1) * sizeof *s->devices);
  if (!grown)
    goto fail;
  s->devices = grown;
  struct synth__sched_device *d = aligned_alloc(64, sizeof *d);
  if (!d)
    goto fail;
  memset(d, 0, sizeof *d);
  synth__rate_horizons_init(&d->rates);
  synth__batch_log_init(&d->log);
  atomic_init(&d->job_started_id, 0);
  atomic_init(&d->job_started_ns, 0);
  synth__health_init(&d->health);
  d->nslots = ops->max_inflight ? ops->max_inflight : 1;
  d->slots = calloc(d->nslots, sizeof *d->slots);
  if (!d->slots) {
    free_device(d);
    goto fail;
  }
  for (unsigned i = 0; i < d->nslots; i++) {
    d->slots[i].batch.payload = aligned_alloc(64, SYNTH_PAYLOAD_MAX);
    if (!d->slots[i].batch.payload) {
      free_device(d);
      goto fail;
    }
    atomic_init(&d->slots[i].remainder.pending, false);
  }
  synth__unit_queue_init(&d->queue);
  synth__device_counters_init(&d->counters);
  synth__ewma_init(&d->ewma, 5.0);
  if (target_latency_s <= 0)
    target_latency_s = ops->default_latency_ms / 1000.0;
  uint64_t max_batch = MAX_BATCH_NONCES;
  if (ops->max_batch && ops->max_batch(dev) < max_batch)
    max_batch = ops->max_batch(dev);
  synth__tuner_init(&d->tuner, target_latency_s, s->unit_nonces, max_batch);
  d->default_target_s = target_latency_s;
  atomic_init(&d->paused, false);
  d->sched = s;
  d->index = s->ndevices;
  d->ops = ops;
  d->dev = dev;
  d->desc = *desc;
  atomic_init(&d->failed, false);
  s->devices[s->ndevices++] = d;
  pthread_mutex_unlock(&s->control);
  return (int)d->index;
fail:
  pthread_mutex_unlock(&s->control);
  ops->close(dev);
  return rc;
}

/* ---- wake-ups ---------------------------------------------------------------------------- */

void synth__sched_want_refill(struct synth__sched *s)
{
  /* Only the first asker since the generator last looked pays for the lock. */
  if (atomic_exchange(&s->gen_wanted, true))
    return;
  pthread_mutex_lock(&s->wake_lock);
  pthread_cond_signal(&s->gen_cond);
  pthread_mutex_unlock(&s->wake_lock);
}

void synth__sched_notify_work(struct synth__sched *s)
{
  /* Sequentially consistent with the waiter's increment of waiters and load of work_seq: either
   * the waiter sees the new sequence number, or we see it waiting and wake it. */
  atomic_fetch_add(&s->work_seq, 1);
  if (atomic_load(&s->waiters) == 0)
    return;
  pthread_mutex_lock(&s->wake_lock);
  pthread_cond_broadcast(&s->work_cond);
  pthread_mutex_unlock(&s->wake_lock);
}

void synth__sched_wait_work(struct synth__sched *s, unsigned seen_seq, unsigned timeout_ms)
{
  struct timespec deadline = synth__deadline_ms(timeout_ms);
  pthread_mutex_lock(&s->wake_lock);
  atomic_fetch_add(&s->waiters, 1);
  while (atomic_load(&s->work_seq) == seen_seq && !atomic_load(&s->stopping)) {
    if (pthread_cond_timedwait(&s->work_cond, &s->wake_lock, &deadline) != 0)
      break;
  }
  atomic_fetch_sub(&s->waiters, 1);
  pthread_mutex_unlock(&s->wake_lock);
}

void synth__sched_pause_ms(struct synth__sched *s, unsigned ms)
{
  struct timespec deadline = synth__deadline_ms(ms);
  pthread_mutex_lock(&s->wake_lock);
  atomic_fetch_add(&s->waiters, 1);
  while (!atomic_load(&s->stopping)) {
    if (pthread_cond_timedwait(&s->work_cond, &s->wake_lock, &deadline) != 0)
      break;
  }
  atomic_fetch_sub(&s->waiters, 1);
  pthread_mutex_unlock(&s->wake_lock);
}

static void sample_windows(struct synth__sched *s, uint64_t now)
{
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    synth__rate_horizons_sample(&d->rates, now, synth__counter_get(&d->counters.nonces));
  }
}

static void *service_thread(void *arg)
{
  struct synth__sched *s = arg;
  struct synth__job *retiring = NULL;
  synth__rcu_online();
  synth__callback_enter(); /* user code (prepare_roll, on_done) runs here */
  pthread_setname_np(pthread_self(), "synth-service");
  uint64_t next_sample = synth__now_ns();
  while (!atomic_load_explicit(&s->stopping, memory_order_acquire)) {
    atomic_store_explicit(&s->service_beat_ns, synth__now_ns(), memory_order_relaxed);
    synth__generator_refill(s);
    synth__sched_service_jobs(s, &retiring);
    uint64_t now = synth__now_ns();
    if (now >= next_sample) {
      sample_windows(s, now);
      next_sample = now + WINDOW_PERIOD_NS;
    }
    struct timespec deadline = synth__deadline_ms(SERVICE_TICK_MS);
    pthread_mutex_lock(&s->wake_lock);
    while (!atomic_exchange(&s->gen_wanted, false) && !atomic_load(&s->stopping)) {
      if (pthread_cond_timedwait(&s->gen_cond, &s->wake_lock, &deadline) != 0)
        break;
    }
    pthread_mutex_unlock(&s->wake_lock);
  }
  atomic_store_explicit(&s->service_beat_ns, 0, memory_order_relaxed);
  /* Jobs still waiting go back on the queue for the next start or for destroy. */
  while (retiring) {
    struct synth__job *job = retiring;
    retiring = job->retire_next;
    cds_wfcq_node_init(&job->retire_node);
    cds_wfcq_enqueue(&s->retire_head, &s->retire_tail, &job->retire_node);
  }
  synth__callback_leave();
  synth__rcu_offline();
  return NULL;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

static void join_devices(struct synth__sched *s, unsigned started)
{
  for (unsigned i = 0; i < started; i++)
    pthread_join(s->devices[i]->thread, NULL);
}

static void request_stop(struct synth__sched *s)
{
  atomic_store_explicit(&s->stopping, true, memory_order_release);
  /* Cut scans short, and launches still queued on GPUs. */
  synth__sched_tell_epoch(s, atomic_fetch_add_explicit(&s->epoch, 1, memory_order_release) + 1);
  pthread_mutex_lock(&s->wake_lock);
  pthread_cond_broadcast(&s->work_cond);
  pthread_cond_broadcast(&s->gen_cond);
  pthread_mutex_unlock(&s->wake_lock);
}

int synth__sched_start(struct synth__sched *s)
{
  int rc = 0;
  pthread_mutex_lock(&s->control);
  while (s->stopping_now)
    pthread_cond_wait(&s->control_cond, &s->control);
  if (s->running)
    goto out;
  atomic_store(&s->stopping, false);
  unsigned started = 0;
  for (; started < s->ndevices; started++) {
    struct synth__sched_device *d = s->devices[started];
    if (pthread_create(&d->thread, NULL, synth__device_thread, d) != 0)
      break;
  }
  if (started == s->ndevices && pthread_create(&s->service, NULL, service_thread, s) == 0) {
    if (synth__sensing_start(s) != 0) /* figures and limits are lost, not the hashing */
      synth__log_warn(s->cfg.log, "cannot start the sensor thread: no temperature or power");
    s->running = true;
    s->ever_started = true;
    goto out;
  }
  synth__log_error(s->cfg.log, "cannot start scheduler threads");
  request_stop(s);
  join_devices(s, started);
  rc = SYNTH_ESYSTEM;
out:
  pthread_mutex_unlock(&s->control);
  return rc;
}

void synth__sched_stop(struct synth__sched *s)
{
  pthread_mutex_lock(&s->control);
  while (s->stopping_now) /* another stop is joining: return once it has */
    pthread_cond_wait(&s->control_cond, &s->control);
  if (s->running) {
    s->stopping_now = true;
    request_stop(s);
    /* Joined without the control mutex: a device thread inside a callback may be about to
     * cancel or submit, which takes it. */
    pthread_mutex_unlock(&s->control);
    join_devices(s, s->ndevices);
    pthread_join(s->service, NULL);
    synth__sensing_stop(s);
    pthread_mutex_lock(&s->control);
    s->running = false;
    s->stopping_now = false;
    pthread_cond_broadcast(&s->control_cond);
  }
  pthread_mutex_unlock(&s->control);
}

void synth__sched_destroy(struct synth__sched *s)
{
  if (!s)
    return;
  synth__sched_stop(s);
  synth__sensing_free(s);
  /* No thread runs any more: jobs can be released without grace periods or waiting. */
  struct cds_wfcq_node *node;
  while ((node = __cds_wfcq_dequeue_blocking(&s->retire_head, &s->retire_tail)))
    synth__job_put(caa_container_of(node, struct synth__job, retire_node));
  while ((node = __cds_wfcq_dequeue_blocking(&s->sets_head, &s->sets_tail)))
    free(caa_container_of(node, struct synth__job_set, retire_node));
  for (unsigned i = 0; s->jobs && i < s->jobs->n; i++)
    synth__job_put(s->jobs->items[i]);
  free(s->jobs);
  while (__cds_wfcq_dequeue_blocking(&s->returned_head, &s->returned_tail))
    ; /* remainders live in device slots, freed below */
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    d->ops->close(d->dev);
    synth__unit_queue_destroy(&d->queue, s->pool);
    free_device(d);
  }
  free(s->devices);
  synth__job_table_destroy(s->seen);
  synth__job_table_destroy(s->midstates);
  synth__unit_pool_destroy(s->pool);
  pthread_cond_destroy(&s->work_cond);
  pthread_cond_destroy(&s->gen_cond);
  pthread_cond_destroy(&s->done_cond);
  pthread_mutex_destroy(&s->wake_lock);
  pthread_cond_destroy(&s->control_cond);
  pthread_mutex_destroy(&s->control);
  free(s);
}

/* ---- figures ------------------------------------------------------------------------------- */

unsigned synth__sched_device_count(const struct synth__sched *s)
{
  return s->ndevices;
}

const struct synth__device_desc *synth__sched_device_desc(const struct synth__sched *s,
                                                          unsigned index)
{
  return &s->devices[index]->desc;
}

void synth__sched_device_stats(struct synth__sched *s, unsigned index,
                               struct synth_device_stats *out)
{
  struct synth__sched_device *d = s->devices[index];
  struct synth__device_counters *c = &d->counters;
  memset(out, 0, sizeof *out);
  snprintf(out->id, sizeof out->id, "%s", d->desc.id);
  snprintf(out->name, sizeof out->name, "%s", d->desc.name);
  snprintf(out->engine, sizeof out->engine, "%s", d->desc.engine);
  out->kind = d->desc.kind;
  out->nonces = synth__counter_get(&c->nonces);
  out->batches = synth__counter_get(&c->batches);
  out->hits = synth__counter_get(&c->hits);
  out->hits_verified = synth__counter_get(&c->verified);
  out->hw_errors = synth__counter_get(&c->hw_errors);
  out->hits_stale = synth__counter_get(&c->stale);
  out->duplicates = synth__counter_get(&c->duplicates);
  /* Start before total: a run that ends between the two loads is briefly left out, never
   * counted twice (the thread clears the start before adding the run to the total). */
  uint64_t started = synth__counter_get(&c->run_started_ns);
  uint64_t active = synth__counter_get(&c->active_ns);
  if (started)
    active += synth__now_ns() - started;
  out->seconds = (double)active * 1e-9;
  out->hashrate = out->seconds > 0 ? (double)out->nonces / out->seconds : 0;
  out->hashrate_ewma = synth__ewma_rate(&d->ewma);
  out->hashrate_window = synth__rate_window_rate(&d->rates.seconds);
  synth__rate_horizons_get(&d->rates, &out->hashrate_10s, &out->hashrate_60s, &out->hashrate_15m);
  out->latency_ms = (double)synth__counter_get(&c->last_latency_ns) * 1e-6;
  out->batch_nonces = synth__tuner_batch(&d->tuner);
  double p50, p95;
  synth__batch_log_latency(&d->log, LATENCY_BATCHES, &p50, &p95);
  out->latency_p50_ms = p50 * 1e-6;
  out->latency_p95_ms = p95 * 1e-6;
  out->target_latency_ms = synth__tuner_target(&d->tuner) * 1e3;
  out->error_rate = atomic_load_explicit(&d->health.error_rate, memory_order_relaxed);
  out->batch_errors = synth__counter_get(&c->batch_errors);
  out->batch_max_nonces = atomic_load_explicit(&d->tuner.max_nonces, memory_order_relaxed);
  out->state = synth__health_state(&d->health);
  if (out->state != SYNTH_DEVICE_OUT && !started)
    out->state = SYNTH_DEVICE_IDLE;
  else if (out->state != SYNTH_DEVICE_OUT && atomic_load_explicit(&d->paused, memory_order_relaxed))
    out->state = SYNTH_DEVICE_PAUSED;
  out->sick_count = atomic_load_explicit(&d->health.sick_count, memory_order_relaxed);
  out->job_serial = atomic_load_explicit(&d->job_started_id, memory_order_acquire);
  out->job_started_ns = atomic_load_explicit(&d->job_started_ns, memory_order_relaxed);
  out->hits_overflowed = synth__counter_get(&c->hit_overflow);
  synth__reason_get(&d->health.reason, out->health_reason, sizeof out->health_reason);
  synth__reason_get(&d->placed, out->thread_at, sizeof out->thread_at);
  synth__sensing_stats(d, out);
}

uint32_t synth__sched_current_job_id(struct synth__sched *s)
{
  pthread_mutex_lock(&s->control);
  uint32_t id = 0;
  for (unsigned i = 0; s->jobs && i < s->jobs->n; i++) {
    if (id == 0 || synth__job_newer(s->jobs->items[i]->id, id))
      id = s->jobs->items[i]->id;
  }
  pthread_mutex_unlock(&s->control);
  return id;
}

bool synth__sched_running(struct synth__sched *s)
{
  pthread_mutex_lock(&s->control);
  bool running = s->running;
  pthread_mutex_unlock(&s->control);
  return running;
}

size_t synth__sched_batch_trace(struct synth__sched *s, unsigned index, uint64_t *cursor,
                                struct synth_batch_record *out, size_t max, uint64_t t0_ns)
{
  struct synth__batch_entry e[64];
  size_t n = 0;
  while (n < max) {
    size_t want = max - n < 64 ? max - n : 64;
    size_t got = synth__batch_log_read(&s->devices[index]->log, *cursor, e, want);
    if (got == 0)
      break;
    for (size_t i = 0; i < got; i++, n++) {
      out[n] = (struct synth_batch_record){
          .seq = e[i].seq,
          .t_s = e[i].t_done_ns > t0_ns ? (double)(e[i].t_done_ns - t0_ns) * 1e-9 : 0,
          .size = e[i].size,
          .nonces = e[i].nonces,
          .latency_ms = (double)e[i].latency_ns * 1e-6,
          .next_batch_nonces = e[i].next_batch,
          .status = e[i].status,
          .state = (enum synth_device_state)e[i].state,
      };
    }
    *cursor = e[got - 1].seq;
  }
  return n;
}

void synth__sched_totals(struct synth__sched *s, struct synth__sched_totals *out)
{
  out->stale_nonces = atomic_load(&s->stale_nonces);
  out->aborted_nonces = atomic_load(&s->aborted_nonces);
  out->requeued_nonces = atomic_load(&s->requeued_nonces);
  out->steals = atomic_load(&s->steals);
  out->units_in_use = synth__unit_pool_in_use(s->pool);
  out->midstates_cached = synth__job_table_count(s->midstates);
}

/* Devices [*first, *end) that index names: one, or every one for SYNTH_ALL_DEVICES. */
static bool devices_named(const struct synth__sched *s, unsigned index, unsigned *first,
                          unsigned *end)
{
  if (index == SYNTH_ALL_DEVICES) {
    *first = 0;
    *end = s->ndevices;
    return true;
  }
  *first = index;
  *end = index + 1;
  return index < s->ndevices;
}

int synth__sched_set_paused(struct synth__sched *s, unsigned index, bool paused)
{
  unsigned i, end;
  if (!devices_named(s, index, &i, &end))
    return SYNTH_EINVAL;
  for (; i < end; i++)
    atomic_store_explicit(&s->devices[i]->paused, paused, memory_order_release);
  /* Its units go to the others now, and a resumed device stops waiting at once. */
  synth__sched_want_refill(s);
  pthread_mutex_lock(&s->wake_lock);
  pthread_cond_broadcast(&s->work_cond);
  pthread_mutex_unlock(&s->wake_lock);
  return 0;
}

int synth__sched_set_target(struct synth__sched *s, unsigned index, double target_s)
{
  unsigned i, end;
  if (!devices_named(s, index, &i, &end))
    return SYNTH_EINVAL;
  for (; i < end; i++) {
    struct synth__sched_device *d = s->devices[i];
    synth__tuner_set_target(&d->tuner, target_s > 0 ? target_s : d->default_target_s);
  }
  return 0;
}

double synth__sched_heartbeat_age(struct synth__sched *s)
{
  uint64_t beat = atomic_load_explicit(&s->service_beat_ns, memory_order_relaxed);
  if (!beat)
    return -1;
  uint64_t now = synth__now_ns();
  return now > beat ? (double)(now - beat) * 1e-9 : 0;
}
