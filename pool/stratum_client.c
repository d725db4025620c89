/* stratum_client.c: the pool client: one thread that connects with a deadline per step,
 * backs off after every failed attempt, fails over to the next pool and back, and runs the
 * sessions (stratum_session.c) that set jobs on the runtime and submit the queued shares. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "stratum_pool.h"
#include "stratum_probe.h"
#include "synth/error.h"
#include "synth/pool.h"

/* A session that mined this long was healthy: its end starts a new count of failures. */
#define HEALTHY_SESSION_MS 30000

/* Numbers the clients of this process, for their job tags' prefix. */
static atomic_uint next_instance = 1;

static const char *const role_names[] = {
    [ROLE_ACTIVE] = "active", [ROLE_STANDBY] = "standby", [ROLE_DRAINING] = "draining"};

/* ---- configuration ---------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
  return s ? strdup(s) : NULL;
}

/* A string no longer than max; otherwise said, with what it is (never its value). */
static bool fits(struct synth__logger *log, const char *what, const char *v, size_t max)
{
  if (!v || strlen(v) <= max)
    return true;
  synth__log_error(log, "pool client: %s is %zu bytes, longer than the %zu a pool takes", what,
                   strlen(v), max);
  return false;
}

int synth_pool_create(synth_pool **out, synth_runtime *rt, const struct synth_pool_config *cfg)
{
  if (!out || !rt || !cfg || !cfg->urls || cfg->url_count == 0)
    return SYNTH_EINVAL;
  struct synth__logger log = {cfg->log_fn, cfg->log_user, cfg->log_level};
  bool ok = fits(&log, "the worker name", cfg->user, SYNTH_POOL_USER_MAX) &&
            fits(&log, "the password", cfg->password, SYNTH_POOL_PASSWORD_MAX);
  for (size_t i = 0; ok && i < cfg->url_count; i++)
    ok = fits(&log, "a pool URL", cfg->urls[i], SYNTH_POOL_URL_MAX);
  if (!ok ||
      (cfg->min_difficulty != 0 && !(cfg->min_difficulty > 0 && isfinite(cfg->min_difficulty)))) {
    if (ok)
      synth__log_error(&log, "pool client: min_difficulty must be positive");
    return SYNTH_EINVAL;
  }
  struct synth_pool *p = calloc(1, sizeof *p);
  if (!p)
    return SYNTH_ENOMEM;
  p->rt = rt;
  p->log = log;
  p->cfg = *cfg;
#define DEFAULT(field, v)                                                                          \
  if (!p->cfg.field)                                                                               \
  p->cfg.field = (v)
  DEFAULT(connect_timeout_ms, 5000);
  DEFAULT(tls_timeout_ms, 5000);
  DEFAULT(subscribe_timeout_ms, 5000);
  DEFAULT(authorize_timeout_ms, 5000);
  DEFAULT(first_job_timeout_ms, 5000);
  DEFAULT(reply_timeout_ms, 10000);
  DEFAULT(max_submits_per_s, 200);
  DEFAULT(min_difficulty, 1.0 / (1 << 24));
  DEFAULT(retry_min_ms, 1000);
  DEFAULT(retry_max_ms, 60000);
  DEFAULT(failover_after, 3);
  DEFAULT(primary_check_ms, 30000);
  DEFAULT(shares_kept, 1024);
#undef DEFAULT
  p->ndevices = synth_runtime_device_count(rt);
  p->urls = calloc(cfg->url_count, sizeof *p->urls);
  p->eps = calloc(cfg->url_count, sizeof *p->eps);
  p->user = strdup(cfg->user ? cfg->user : "");
  p->password = strdup(cfg->password ? cfg->password : "x");
  p->ca_file = dup_or_null(cfg->tls_ca_file);
  p->dev_accepted = calloc(p->ndevices + 1, sizeof *p->dev_accepted);
  p->dev_rejected = calloc(p->ndevices + 1, sizeof *p->dev_rejected);
  p->dev_stale = calloc(p->ndevices + 1, sizeof *p->dev_stale);
  p->parked = calloc(1, sizeof *p->parked);
  int rc = SYNTH_ENOMEM;
  if (!p->urls || !p->eps || !p->user || !p->password || (cfg->tls_ca_file && !p->ca_file) ||
      !p->dev_accepted || !p->dev_rejected || !p->dev_stale || !p->parked ||
      stratum_queue_init(&p->queue, p->cfg.shares_kept) != 0 || stratum_sent_init(&p->sent) != 0)
    goto fail;
  for (size_t i = 0; i < cfg->url_count; i++) {
    char why[256];
    if (!cfg->urls[i] || stratum_endpoint_parse(cfg->urls[i], &p->eps[i], why, sizeof why)) {
      synth__log_error(&p->log, "pool %zu: %s", i + 1, cfg->urls[i] ? why : "no URL");
      rc = SYNTH_EINVAL;
      goto fail;
    }
    p->urls[i] = strdup(cfg->urls[i]);
    if (!p->urls[i])
      goto fail;
  }
  p->tls = (struct stratum_tls_options){.insecure = cfg->tls_insecure != 0, .ca_file = p->ca_file};
  pthread_mutex_init(&p->lock, NULL);
  pthread_mutex_init(&p->job_lock, NULL);
  p->lock_ready = true;
  p->role = cfg->standby ? ROLE_STANDBY : ROLE_ACTIVE;
  snprintf(p->tag_prefix, sizeof p->tag_prefix, "c%x.", atomic_fetch_add(&next_instance, 1));
  snprintf(p->text.user, sizeof p->text.user, "%s", p->user);
  snprintf(p->text.state, sizeof p->text.state, "stopped");
  *out = p;
  return 0;
fail:
  p->cfg.url_count = cfg->url_count;
  synth_pool_destroy(p);
  return rc;
}

/* ---- figures ----------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int synth_pool_stats(synth_pool *p, struct synth_pool_stats *out, size_t out_size)
{
  if (!p || !out || out_size < offsetof(struct synth_pool_stats, accepted))
    return SYNTH_EINVAL;
  struct synth_pool_stats s;
  pthread_mutex_lock(&p->lock);
  s = p->text;
  double samples[SWITCH_SAMPLES];
  size_t n = p->switches < SWITCH_SAMPLES ? (size_t)p->switches : SWITCH_SAMPLES;
  memcpy(samples, p->switch_ms, n * sizeof samples[0]);
  s.switches = p->switches;
  pthread_mutex_unlock(&p->lock);
  pthread_mutex_lock(&p->job_lock);
  snprintf(s.role, sizeof s.role, "%s", role_names[p->role]);
  pthread_mutex_unlock(&p->job_lock);
  s.accepted = atomic_load(&p->accepted);
  s.rejected = atomic_load(&p->rejected);
  s.stale = atomic_load(&p->stale);
  s.submitted = atomic_load(&p->submitted);
  s.duplicates = atomic_load(&p->duplicates);
  s.kept = stratum_queue_count(&p->queue, &s.dropped);
  s.found = atomic_load(&p->found);
  s.capped = atomic_load(&p->capped);
  s.in_flight = atomic_load(&p->in_flight);
  s.unanswered = atomic_load(&p->unanswered);
  s.connects = atomic_load(&p->connects);
  s.failed_attempts = atomic_load(&p->failed_attempts);
  s.reconnects = atomic_load(&p->reconnects);
  s.failovers = atomic_load(&p->failovers);
  s.jobs = atomic_load(&p->jobs);
  if (n > 0) {
    qsort(samples, n, sizeof samples[0], cmp_double);
    s.switch_p50_ms = samples[(n * 50 + 99) / 100 - 1];
    s.switch_p99_ms = samples[(n * 99 + 99) / 100 - 1];
    s.switch_max_ms = samples[n - 1];
  }
  memcpy(out, &s, out_size < sizeof s ? out_size : sizeof s);
  return 0;
}

int synth_pool_device_shares(synth_pool *p, unsigned device, uint64_t *accepted, uint64_t *rejected,
                             uint64_t *stale)
{
  if (!p || device >= p->ndevices)
    return SYNTH_EINVAL;
  if (accepted)
    *accepted = atomic_load(&p->dev_accepted[device]);
  if (rejected)
    *rejected = atomic_load(&p->dev_rejected[device]);
  if (stale)
    *stale = atomic_load(&p->dev_stale[device]);
  return 0;
}

/* ---- shares ------------------------------------------------------------------------------- */

void synth_pool_submit(synth_pool *p, const struct synth_share *share)
{
  if (!p || !share || !share->job_id)
    return;
  struct stratum_share q;
  memset(&q, 0, sizeof q);
  q.s = *share;
  snprintf(q.job_id, sizeof q.job_id, "%s", share->job_id);
  q.s.job_id = NULL; /* set to the copy when popped */
  pool_add(&p->found, 1);
  stratum_queue_push(&p->queue, &q);
}

int synth_pool_owns(const synth_pool *p, const struct synth_share *share)
{
  return p && share && share->job_id &&
         strncmp(share->job_id, p->tag_prefix, strlen(p->tag_prefix)) == 0;
}

/* ---- handing over ------------------------------------------------------------------------- */

int synth_pool_activate(synth_pool *p)
{
  if (!p)
    return SYNTH_EINVAL;
  int rc = 0;
  pthread_mutex_lock(&p->job_lock);
  if (p->role == ROLE_DRAINING) {
    rc = SYNTH_ESTATE;
  } else if (p->role == ROLE_STANDBY) {
    struct parked_job *pk = p->parked;
    struct synth_job job;
    /* A job of another session than the runtime's: clean, the old one's hits are stale. */
    if (pk->set && stratum_job_from_notify(&pk->notify, &pk->ses, true, &job) == 0) {
      job.job_id = pk->tag;
      job.first_roll = pk->first_roll;
      rc = synth_runtime_set_job(p->rt, &job);
    }
    if (rc == 0) {
      p->role = ROLE_ACTIVE;
      synth__log_info(&p->log, "pool client: active%s", pk->set ? ": its job is set" : "");
    }
  }
  pthread_mutex_unlock(&p->job_lock);
  return rc;
}

void synth_pool_drain(synth_pool *p)
{
  if (!p)
    return;
  pthread_mutex_lock(&p->job_lock);
  p->role = ROLE_DRAINING;
  pthread_mutex_unlock(&p->job_lock);
  atomic_store(&p->draining, true);
  synth__log_info(&p->log, "pool client: draining: no more jobs, its shares still sent");
}

/* ---- the connection loop ------------------------------------------------------------------ */

/* Sleeps ms, waking early when the client stops. Returns false when it stops. */
static bool nap(struct synth_pool *p, uint64_t ms)
{
  uint64_t until = synth__now_ns() + ms * 1000000u;
  while (!atomic_load(&p->stopping)) {
    uint64_t now = synth__now_ns();
    if (now >= until)
      return true;
    uint64_t left = until - now;
    struct timespec ts = {0, (long)(left < 50000000u ? left : 50000000u)};
    nanosleep(&ts, NULL);
  }
  return false;
}

/* The wait after the streak-th failed attempt in a row: retry_min_ms growing 1.6 times per
 * failure up to retry_max_ms, times a jitter of 0.75..1 so many miners do not come back in
 * step. */
static uint64_t backoff_ms(const struct synth_pool *p, unsigned streak, unsigned *seed)
{
  double d = (double)p->cfg.retry_min_ms * pow(1.6, streak > 1 ? (double)(streak - 1) : 0.0);
  if (d > p->cfg.retry_max_ms)
    d = p->cfg.retry_max_ms;
  return (uint64_t)(d * (0.75 + 0.25 * (double)rand_r(seed) / RAND_MAX));
}

static void url_of_endpoint(char *buf, size_t size, const struct stratum_endpoint *ep)
{
  bool v6 = strchr(ep->host, ':') != NULL;
  snprintf(buf, size, "stratum+%s://%s%.230s%s:%u", ep->tls ? "ssl" : "tcp", v6 ? "[" : "",
           ep->host, v6 ? "]" : "", ep->port);
}

/* While on a lower pool: probes the higher ones in turn, one at a time, every
 * primary_check_ms; true once one completed a handshake (then *back is its index). */
struct failback {
  struct synth_pool *p;
  struct session *s;
  struct stratum_probe probe;
  size_t probing, back;
  uint64_t next_ns;
};

static bool failback_ready(void *arg)
{
  struct failback *f = arg;
  struct synth_pool *p = f->p;
  uint64_t now = synth__now_ns(), check = (uint64_t)p->cfg.primary_check_ms * 1000000u;
  if (f->s->pool == 0 || atomic_load(&p->draining))
    return false;
  if (f->probe.running) {
    int o = stratum_probe_poll(&f->probe);
    if (o == 0)
      return false;
    pool_add(&p->connects, 1);
    if (o > 0) {
      synth__log_info(&p->log, "pool %s answers again: returning to it", p->urls[f->probing]);
      f->back = f->probing;
      return true;
    }
    synth__log_debug(&p->log, "pool %s: still failing: %s", p->urls[f->probing], f->probe.why);
    if (++f->probing < f->s->pool) {
      f->next_ns = now; /* the next higher one at once */
    } else {
      f->probing = 0;
      f->next_ns = now + check;
    }
  }
  if (f->next_ns == 0) { /* just failed over: the first probe after a whole period */
    f->probing = 0;
    f->next_ns = now + check;
  }
  if (now < f->next_ns)
    return false;
  f->next_ns = now + check;
  struct stratum_probe_config c = {.ep = p->eps[f->probing],
                                   .tls = &p->tls,
                                   .user = p->user,
                                   .password = p->password,
                                   .connect_ms = p->cfg.connect_timeout_ms,
                                   .tls_ms = p->cfg.tls_timeout_ms,
                                   .answer_ms = p->cfg.subscribe_timeout_ms};
  stratum_probe_start(&f->probe, &c); /* no thread: tried again next period */
  return false;
}

static void *client_thread(void *arg)
{
  struct synth_pool *p = arg;
  struct session *s = calloc(1, sizeof *s);
  if (!s) {
    synth__log_error(&p->log, "pool client: out of memory");
    return NULL;
  }
  size_t pool = 0;
  unsigned streak = 0, pool_failures = 0, pools_failed = 0;
  bool ever = false;
  struct redirect redirect = {0};
  struct failback fb = {.p = p, .s = s};
  unsigned seed = (unsigned)synth__now_ns();
  s->seed = seed ^ 0x5bd1e995u;
  snprintf(s->jobs.prefix, sizeof s->jobs.prefix, "%s", p->tag_prefix);
  /* Draining, a session that ends is not replaced: what is left counts as kept or unanswered. */
  while (!atomic_load(&p->stopping) && !atomic_load(&p->draining)) {
    char why[256];
    if (redirect.set && redirect.wait_s && !nap(p, redirect.wait_s * 1000u))
      break;
    s->pool = pool;
    s->ep = redirect.set ? redirect.ep : p->eps[pool];
    if (redirect.set)
      url_of_endpoint(s->url, sizeof s->url, &s->ep);
    else
      snprintf(s->url, sizeof s->url, "%s", p->urls[pool]);
    redirect.set = false; /* one try: a failed target falls back to the configured pool */
    uint64_t t0 = synth__now_ns();
    stratum_set_state(p, s, ST_CONNECTING);
    pool_add(&p->connects, 1);
    s->conn = stratum_conn_open(&s->ep, &p->tls, p->cfg.connect_timeout_ms, p->cfg.tls_timeout_ms,
                                why, sizeof why);
    enum session_end end = END_FAILED;
    if (!s->conn) {
      stratum_session_fail(p, s, "%s", why);
    } else {
      if (ever)
        pool_add(&p->reconnects, 1);
      ever = true;
      synth__log_info(&p->log, "pool %s: connected", s->url);
      end = stratum_session_run(p, s, &redirect, failback_ready, &fb);
      stratum_conn_close(s->conn);
      s->conn = NULL;
    }
    bool healthy = s->state == ST_MINING &&
                   synth__now_ns() - s->mining_since_ns >= (uint64_t)HEALTHY_SESSION_MS * 1000000u;
    if (end == END_STOPPED || atomic_load(&p->draining))
      break;
    if (end == END_FAILBACK) {
      stratum_probe_cancel(&fb.probe);
      pool = fb.back;
      pool_failures = streak = pools_failed = 0;
      pool_add(&p->failovers, 1);
      continue;
    }
    if (end == END_REDIRECT) {
      if (healthy)
        streak = pool_failures = 0;
      continue;
    }
    /* A failed attempt: or a session that ended before it was healthy, which counts as one. */
    stratum_probe_cancel(&fb.probe);
    fb.next_ns = 0;
    if (healthy)
      streak = pool_failures = pools_failed = 0;
    pool_add(&p->failed_attempts, 1);
    streak++;
    pool_failures++;
    if (pool_failures >= p->cfg.failover_after && p->cfg.url_count > 1) {
      size_t next = (pool + 1) % p->cfg.url_count;
      synth__log_warn(&p->log, "pool %s failed %u times in a row: failing over to %s",
                      p->urls[pool], pool_failures, p->urls[next]);
      pool = next;
      pool_failures = 0;
      pool_add(&p->failovers, 1);
      if (++pools_failed >= p->cfg.url_count) {
        pools_failed = 0;
        uint64_t wait = backoff_ms(p, streak, &seed);
        synth__log_warn(&p->log, "every pool failed: trying again in %.1f s, backing off",
                        (double)wait / 1000);
        stratum_set_state(p, s, ST_BACKING_OFF);
        if (!nap(p, wait))
          break;
      }
      continue; /* the next pool at once */
    }
    /* The attempt's own time counts towards the back-off: a pool that let a deadline pass
     * has been waited for already. */
    uint64_t wait = backoff_ms(p, streak, &seed), spent = (synth__now_ns() - t0) / 1000000u;
    stratum_set_state(p, s, ST_BACKING_OFF);
    if (spent < wait && !nap(p, wait - spent))
      break;
  }
  stratum_probe_cancel(&fb.probe);
  stratum_set_state(p, s, ST_STOPPED);
  free(s);
  return NULL;
}

int synth_pool_start(synth_pool *p)
{
  if (!p)
    return SYNTH_EINVAL;
  if (p->started)
    return 0;
  atomic_store(&p->stopping, false);
  if (pthread_create(&p->thread, NULL, client_thread, p) != 0)
    return SYNTH_ESYSTEM;
  p->started = true;
  return 0;
}

void synth_pool_stop(synth_pool *p)
{
  if (!p || !p->started)
    return;
  atomic_store(&p->stopping, true);
  pthread_join(p->thread, NULL);
  p->started = false;
}

void synth_pool_destroy(synth_pool *p)
{
  if (!p)
    return;
  synth_pool_stop(p);
  if (p->lock_ready) {
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->job_lock);
  }
  free(p->parked);
  for (size_t i = 0; p->urls && i < p->cfg.url_count; i++)
    free(p->urls[i]);
  free(p->urls);
  free(p->eps);
  if (p->password) /* do not leave it in freed memory */
    memset(p->password, 0, strlen(p->password));
  free(p->password);
  free(p->user);
  free(p->ca_file);
  free(p->dev_accepted);
  free(p->dev_rejected);
  free(p->dev_stale);
  stratum_queue_destroy(&p->queue);
  stratum_sent_destroy(&p->sent);
  free(p);
}
