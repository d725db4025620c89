/* stratum_client.c: the pool client: one thread that connects (with failover and back-off),
 * speaks Stratum V1, sets each job on the runtime and submits the queued shares. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runtime/logger.h"
#include "runtime/mining_job.h"
#include "scheduler/clock.h"
#include "stratum_conn.h"
#include "stratum_shares.h"
#include "stratum_work.h"
#include "synth/error.h"
#include "synth/pool.h"
#include "synth/version.h"

#define READ_TICK_MS 20 /* how long the thread waits for a line before looking at its queue */
#define SEND_TIMEOUT_MS 5000
#define PENDING_MAX 1024
#define SWITCH_SAMPLES 256

enum request_kind {
  REQ_NONE,
  REQ_CONFIGURE,
  REQ_SUBSCRIBE,
  REQ_AUTHORIZE,
  REQ_EXTRANONCE,
  REQ_SUBMIT
};

struct pending {
  int64_t id;
  enum request_kind kind;
  unsigned device;
  double difficulty; /* of the share's target, for accepted_difficulty */
};

/* What one connection knows; reset on every connect. */
struct session {
  struct stratum_conn *conn;
  size_t pool;
  struct stratum_session ses;
  bool subscribed, authorized, rolling, fresh_session;
  int64_t next_id;
  struct pending pending[PENDING_MAX];
  struct stratum_valid_jobs jobs;
  char session_id[128]; /* from the subscribe result, offered back to resume */
  /* A clean switch whose arrival at every device is still being timed. */
  uint32_t switch_serial;
  uint64_t switch_notify_ns;
  unsigned seed;
};

struct synth_pool {
  synth_runtime *rt;
  struct synth__logger log;
  struct synth_pool_config cfg;
  char **urls;
  struct stratum_endpoint *eps;
  char *user, *password, *ca_file;
  struct stratum_tls_options tls;
  unsigned ndevices;

  pthread_t thread;
  bool started;
  atomic_bool stopping;
  struct stratum_share_queue queue;
  struct stratum_sent sent;

  /* Figures: counters are atomics, strings and latency samples under lock. */
  atomic_uint_least64_t accepted, rejected, stale, submitted, duplicates, reconnects, failovers,
      jobs;
  atomic_uint_least64_t *dev_accepted, *dev_rejected, *dev_stale;
  pthread_mutex_t lock;
  struct synth_pool_stats text; /* url, user, connected, difficulty, last_reject, job_id */
  double switch_ms[SWITCH_SAMPLES];
  uint64_t switches;
};

static void add(atomic_uint_least64_t *c, uint64_t v)
{
  atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static void count_device(atomic_uint_least64_t *per, struct synth_pool *p, unsigned device)
{
  if (device < p->ndevices)
    add(&per[device], 1);
}

/* ---- configuration ---------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
  return s ? strdup(s) : NULL;
}

int synth_pool_create(synth_pool **out, synth_runtime *rt, const struct synth_pool_config *cfg)
{
  if (!out || !rt || !cfg || !cfg->urls || cfg->url_count == 0)
    return SYNTH_EINVAL;
  struct synth_pool *p = calloc(1, sizeof *p);
  if (!p)
    return SYNTH_ENOMEM;
  p->rt = rt;
  p->log = (struct synth__logger){cfg->log_fn, cfg->log_user, cfg->log_level};
  p->cfg = *cfg;
#define DEFAULT(field, v)                                                                          \
  if (!p->cfg.field)                                                                               \
  p->cfg.field = (v)
  DEFAULT(connect_timeout_ms, 10000);
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
  int rc = SYNTH_ENOMEM;
  if (!p->urls || !p->eps || !p->user || !p->password || (cfg->tls_ca_file && !p->ca_file) ||
      !p->dev_accepted || !p->dev_rejected || !p->dev_stale ||
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
  snprintf(p->text.user, sizeof p->text.user, "%s", p->user);
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
  s.accepted = atomic_load(&p->accepted);
  s.rejected = atomic_load(&p->rejected);
  s.stale = atomic_load(&p->stale);
  s.submitted = atomic_load(&p->submitted);
  s.duplicates = atomic_load(&p->duplicates);
  s.kept = stratum_queue_count(&p->queue);
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

static void set_connected(struct synth_pool *p, const char *url, int connected)
{
  pthread_mutex_lock(&p->lock);
  snprintf(p->text.url, sizeof p->text.url, "%s", url ? url : "");
  p->text.connected = connected;
  pthread_mutex_unlock(&p->lock);
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
  stratum_queue_push(&p->queue, &q);
}

static struct pending *pending_slot(struct session *s, int64_t id)
{
  return &s->pending[(uint64_t)id % PENDING_MAX];
}

static int send_line(struct synth_pool *p, struct session *s, const char *line, size_t len)
{
  if (stratum_conn_send(s->conn, line, len, SEND_TIMEOUT_MS) != 0) {
    synth__log_warn(&p->log, "pool %s: send failed", p->urls[s->pool]);
    return -1;
  }
  return 0;
}

/* Sends every queued share whose job is still valid; the others are stale. Returns -1 when the
 * connection broke (the share being sent is queued again). */
static int flush_shares(struct synth_pool *p, struct session *s)
{
  struct stratum_share sh;
  while (s->authorized && stratum_queue_pop(&p->queue, &sh)) {
    if (!stratum_jobs_has(&s->jobs, sh.job_id)) {
      add(&p->stale, 1);
      count_device(p->dev_stale, p, sh.s.device);
      synth__log_debug(&p->log, "share of job %s not sent: the pool replaced the job", sh.job_id);
      continue;
    }
    memcpy(sh.extranonce1, s->ses.extranonce1, s->ses.extranonce1_len);
    sh.extranonce1_len = s->ses.extranonce1_len;
    if (!stratum_sent_add(&p->sent, &sh)) {
      add(&p->duplicates, 1);
      continue;
    }
    char line[1024];
    int64_t id = s->next_id++;
    int n = stratum_submit_line(line, sizeof line, id, p->user, &sh.s, s->rolling);
    if (n < 0)
      continue;
    struct pending *pe = pending_slot(s, id);
    *pe = (struct pending){
        .id = id, .kind = REQ_SUBMIT, .device = sh.s.device, .difficulty = s->ses.difficulty};
    if (send_line(p, s, line, (size_t)n) != 0) {
      stratum_queue_push(&p->queue, &sh); /* kept for the next connection */
      return -1;
    }
    add(&p->submitted, 1);
  }
  return 0;
}

/* ---- requests and answers ----------------------------------------------------------------- */

static int request(struct synth_pool *p, struct session *s, enum request_kind kind,
                   const char *method, const char *params)
{
  char line[2048];
  int64_t id = s->next_id++;
  int n = snprintf(line, sizeof line, "{\"id\":%lld,\"method\":\"%s\",\"params\":%s}\n",
                   (long long)id, method, params);
  if (n < 0 || (size_t)n >= sizeof line)
    return -1;
  *pending_slot(s, id) = (struct pending){.id = id, .kind = kind};
  return send_line(p, s, line, (size_t)n);
}

static int start_session(struct synth_pool *p, struct session *s)
{
  char params[1200], ua[64], quser[512], qpass[512], qsid[160];
  snprintf(ua, sizeof ua, "synthminer/%s", synth_version_string());
  /* Configure first (BIP 310), so the mask is known when the first job comes. */
  if (request(p, s, REQ_CONFIGURE, "mining.configure",
              "[[\"version-rolling\"],{\"version-rolling.mask\":\"1fffe000\","
              "\"version-rolling.min-bit-count\":2}]") != 0)
    return -1;
  if (s->session_id[0] && stratum_json_string(qsid, sizeof qsid, s->session_id) > 0)
    snprintf(params, sizeof params, "[\"%s\",%s]", ua, qsid); /* ask to resume the session */
  else
    snprintf(params, sizeof params, "[\"%s\"]", ua);
  if (request(p, s, REQ_SUBSCRIBE, "mining.subscribe", params) != 0)
    return -1;
  if (stratum_json_string(quser, sizeof quser, p->user) < 0 ||
      stratum_json_string(qpass, sizeof qpass, p->password) < 0)
    return -1;
  snprintf(params, sizeof params, "[%s,%s]", quser, qpass);
  if (request(p, s, REQ_AUTHORIZE, "mining.authorize", params) != 0)
    return -1;
  return request(p, s, REQ_EXTRANONCE, "mining.extranonce.subscribe", "[]");
}

/* The pool's reason, from [code, "message", ...] or a bare string. */
static void error_text(json_t *error, char *buf, size_t size)
{
  const char *msg = json_string_value(json_array_get(error, 1));
  if (!msg)
    msg = json_string_value(error);
  long long code = json_integer_value(json_array_get(error, 0));
  size_t k = 0;
  int n = snprintf(buf, size, "%lld ", code);
  k = n > 0 ? (size_t)n : 0;
  for (const char *c = msg ? msg : "no reason given"; *c && k + 1 < size; c++)
    buf[k++] = *c >= 0x20 && *c < 0x7f ? *c : '?';
  buf[k < size ? k : size - 1] = 0;
}

static bool is_stale_reason(json_t *error, const char *text)
{
  long long code = json_integer_value(json_array_get(error, 0));
  return code == 21 || strcasestr(text, "stale") || strcasestr(text, "job not found");
}

static void on_submit_answer(struct synth_pool *p, struct pending *pe, json_t *result,
                             json_t *error)
{
  if (json_is_true(result) && !error) {
    uint64_t n = atomic_fetch_add_explicit(&p->accepted, 1, memory_order_relaxed) + 1;
    count_device(p->dev_accepted, p, pe->device);
    pthread_mutex_lock(&p->lock);
    p->text.accepted_difficulty += pe->difficulty;
    pthread_mutex_unlock(&p->lock);
    synth__log_info(&p->log, "share accepted (%llu so far)", (unsigned long long)n);
    return;
  }
  char reason[128];
  error_text(error, reason, sizeof reason);
  if (is_stale_reason(error, reason)) {
    add(&p->stale, 1);
    count_device(p->dev_stale, p, pe->device);
  } else {
    add(&p->rejected, 1);
    count_device(p->dev_rejected, p, pe->device);
  }
  synth__log_info(&p->log, "share rejected: %s", reason);
  pthread_mutex_lock(&p->lock);
  snprintf(p->text.last_reject, sizeof p->text.last_reject, "%s", reason);
  pthread_mutex_unlock(&p->lock);
}

/* Returns -1 when the session cannot go on. */
static int on_response(struct synth_pool *p, struct session *s, const struct stratum_msg *m)
{
  struct pending *pe = pending_slot(s, m->id);
  if (pe->kind == REQ_NONE || pe->id != m->id) {
    synth__log_debug(&p->log, "pool answered request %lld we did not send", (long long)m->id);
    return 0;
  }
  enum request_kind kind = pe->kind;
  pe->kind = REQ_NONE;
  char why[256], reason[128];
  switch (kind) {
  case REQ_CONFIGURE: {
    bool rolling = false;
    uint32_t mask = 0;
    if (!m->error && stratum_configure_result(m->result, &rolling, &mask, why, sizeof why) == 0) {
      s->rolling = rolling;
      s->ses.version_mask = rolling ? mask & 0x1fffe000u : 0; /* only the BIP 320 bits */
    }
    return 0;
  }
  case REQ_SUBSCRIBE: {
    uint8_t en1[SYNTH_EXTRANONCE_MAX];
    size_t en1_len, en2_size;
    if (m->error ||
        stratum_subscribe_result(m->result, en1, &en1_len, &en2_size, why, sizeof why) != 0) {
      if (m->error)
        error_text(m->error, why, sizeof why);
      synth__log_error(&p->log, "pool %s: mining.subscribe failed: %s", p->urls[s->pool], why);
      return -1;
    }
    s->fresh_session = en1_len != s->ses.extranonce1_len ||
                       memcmp(en1, s->ses.extranonce1, en1_len) != 0 || !s->subscribed;
    memcpy(s->ses.extranonce1, en1, en1_len);
    s->ses.extranonce1_len = en1_len;
    s->ses.extranonce2_size = en2_size;
    s->subscribed = true;
    /* The session id to resume with: the mining.notify subscription's id, if any. */
    json_t *subs = json_array_get(m->result, 0), *sub;
    size_t i;
    json_array_foreach(subs, i, sub)
    {
      const char *name = json_string_value(json_array_get(sub, 0));
      const char *id = json_string_value(json_array_get(sub, 1));
      if (name && id && strcmp(name, "mining.notify") == 0 && strlen(id) < sizeof s->session_id)
        snprintf(s->session_id, sizeof s->session_id, "%s", id);
    }
    return 0;
  }
  case REQ_AUTHORIZE:
    if (!json_is_true(m->result) || m->error) {
      if (m->error)
        error_text(m->error, reason, sizeof reason);
      else
        snprintf(reason, sizeof reason, "refused");
      synth__log_error(&p->log, "pool %s: worker %s not authorized: %s", p->urls[s->pool], p->user,
                       reason);
      return -1;
    }
    s->authorized = true;
    set_connected(p, p->urls[s->pool], 1);
    synth__log_info(&p->log, "pool %s: authorized as %s", p->urls[s->pool], p->user);
    return 0;
  case REQ_EXTRANONCE:
    return 0; /* pools that do not know it answer with an error: nothing changes */
  case REQ_SUBMIT:
    on_submit_answer(p, pe, m->result, m->error);
    return 0;
  case REQ_NONE:
    break;
  }
  return 0;
}

/* A random roll in the first half of the job's rolls: miners
 * behind one extranonce1 rarely repeat each other's work, and half the space is left. */
static uint32_t first_roll(const struct synth_job *job, unsigned *seed)
{
  uint64_t half = synth__mining_job_rolls(job, NULL, NULL) / 2;
  uint64_t r = (uint64_t)rand_r(seed) << 31 ^ (uint64_t)rand_r(seed);
  return half ? (uint32_t)(r % half) : 0;
}

static void on_notify(struct synth_pool *p, struct session *s, const struct stratum_notify *n)
{
  add(&p->jobs, 1);
  if (!s->subscribed) {
    synth__log_warn(&p->log, "pool sent a job before the subscription: ignored");
    return;
  }
  /* A new session (another extranonce1) makes every earlier share invalid: clean. */
  bool clean = n->clean || s->fresh_session;
  struct synth_job job;
  if (stratum_job_from_notify(n, &s->ses, clean, &job) != 0) {
    synth__log_warn(&p->log, "job %s: difficulty %g gives no target: ignored", n->job_id,
                    s->ses.difficulty);
    return;
  }
  job.first_roll = first_roll(&job, &s->seed);
  uint64_t t = synth__now_ns();
  int rc = synth_runtime_set_job(p->rt, &job);
  if (rc != 0) {
    synth__log_warn(&p->log, "job %s refused: %s", n->job_id, synth_strerror(rc));
    return;
  }
  if (clean) {
    stratum_jobs_clear(&s->jobs);
    stratum_sent_clear(&p->sent);
    s->switch_serial = synth_runtime_job_serial(p->rt);
    s->switch_notify_ns = t;
  }
  stratum_jobs_add(&s->jobs, n->job_id);
  s->fresh_session = false;
  pthread_mutex_lock(&p->lock);
  snprintf(p->text.job_id, sizeof p->text.job_id, "%s", n->job_id);
  pthread_mutex_unlock(&p->lock);
}

/* Once every live device has started a batch of the switched-to job, the switch is timed. */
static void time_switch(struct synth_pool *p, struct session *s)
{
  if (!s->switch_serial)
    return;
  uint64_t last = 0;
  for (unsigned i = 0; i < p->ndevices; i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(p->rt, i, &st, sizeof st) != 0 || st.state == SYNTH_DEVICE_OUT ||
        st.state == SYNTH_DEVICE_SICK)
      continue;
    if ((int32_t)(st.job_serial - s->switch_serial) < 0)
      return; /* this one is not there yet */
    if (st.job_serial == s->switch_serial && st.job_started_ns > last)
      last = st.job_started_ns;
  }
  if (last) {
    double ms = last > s->switch_notify_ns ? (double)(last - s->switch_notify_ns) * 1e-6 : 0;
    pthread_mutex_lock(&p->lock);
    p->switch_ms[p->switches % SWITCH_SAMPLES] = ms;
    p->switches++;
    pthread_mutex_unlock(&p->lock);
  }
  s->switch_serial = 0;
}

/* ---- the connection loop ------------------------------------------------------------------ */

struct redirect {
  bool set;
  struct stratum_endpoint ep;
  unsigned wait_s;
};

static int handle_line(struct synth_pool *p, struct session *s, const char *line, size_t len,
                       struct redirect *redirect)
{
  struct stratum_msg m;
  char why[256];
  if (stratum_msg_parse(line, len, &m, why, sizeof why) != 0) {
    synth__log_warn(&p->log, "pool %s: message dropped: %s", p->urls[s->pool], why);
    return 0;
  }
  int rc = 0;
  char reply[256];
  switch (m.kind) {
  case STRATUM_RESPONSE:
    rc = on_response(p, s, &m);
    break;
  case STRATUM_NOTIFY:
    on_notify(p, s, m.u.notify);
    break;
  case STRATUM_SET_DIFFICULTY:
    /* Applies from the next job on, as pools mean it. */
    s->ses.difficulty = m.u.difficulty;
    pthread_mutex_lock(&p->lock);
    p->text.difficulty = m.u.difficulty;
    pthread_mutex_unlock(&p->lock);
    break;
  case STRATUM_SET_EXTRANONCE:
    memcpy(s->ses.extranonce1, m.u.extranonce.extranonce1, m.u.extranonce.extranonce1_len);
    s->ses.extranonce1_len = m.u.extranonce.extranonce1_len;
    s->ses.extranonce2_size = m.u.extranonce.extranonce2_size;
    s->fresh_session = true; /* the next job is clean whatever it says */
    synth__log_info(&p->log, "pool %s: new extranonce1 from the next job on", p->urls[s->pool]);
    break;
  case STRATUM_SET_VERSION_MASK:
    s->ses.version_mask = s->rolling ? m.u.version_mask & 0x1fffe000u : 0;
    break;
  case STRATUM_RECONNECT: {
    /* Only to the same host: a pool must not send its miners anywhere else. */
    const char *host = m.u.reconnect.host[0] ? m.u.reconnect.host : p->eps[s->pool].host;
    if (strcasecmp(host, p->eps[s->pool].host) != 0) {
      synth__log_warn(&p->log, "pool %s asked to reconnect to %s: refused (another host)",
                      p->urls[s->pool], host);
      break;
    }
    redirect->set = true;
    redirect->ep = p->eps[s->pool];
    if (m.u.reconnect.port)
      redirect->ep.port = m.u.reconnect.port;
    redirect->wait_s = m.u.reconnect.wait_s;
    rc = -1;
    break;
  }
  case STRATUM_SHOW_MESSAGE:
    synth__log_info(&p->log, "pool %s says: %s", p->urls[s->pool], m.u.message);
    break;
  case STRATUM_GET_VERSION:
    if (m.has_id) {
      int n = snprintf(reply, sizeof reply,
                       "{\"id\":%lld,\"result\":\"synthminer/%s\",\"error\":null}\n",
                       (long long)m.id, synth_version_string());
      if (n > 0 && (size_t)n < sizeof reply)
        rc = send_line(p, s, reply, (size_t)n);
    }
    break;
  case STRATUM_UNKNOWN:
    synth__log_debug(&p->log, "pool %s: method %s ignored", p->urls[s->pool], m.method);
    break;
  }
  stratum_msg_free(&m);
  return rc;
}

static uint64_t ms_ns(unsigned ms)
{
  return (uint64_t)ms * 1000000u;
}

/* Sleeps ms, waking early when the client stops. Returns false when it stops. */
static bool nap(struct synth_pool *p, unsigned ms)
{
  uint64_t until = synth__now_ns() + ms_ns(ms);
  while (!atomic_load(&p->stopping)) {
    uint64_t now = synth__now_ns();
    if (now >= until)
      return true;
    uint64_t left = until - now;
    struct timespec ts = {0, (long)(left < ms_ns(50) ? left : ms_ns(50))};
    nanosleep(&ts, NULL);
  }
  return false;
}

/* Whether a higher pool than the one in use answers a plain connect again. */
static bool higher_pool_back(struct synth_pool *p, size_t current, size_t *which)
{
  for (size_t i = 0; i < current; i++) {
    char why[256];
    struct stratum_conn *c = stratum_conn_open(&p->eps[i], &p->tls, 2000, why, sizeof why);
    if (c) {
      stratum_conn_close(c);
      *which = i;
      return true;
    }
  }
  return false;
}

/* Runs one connected session until it ends. Returns 1 when it should move to *next_pool,
 * 0 when it ended otherwise (closed, broken, refused). */
static int run_session(struct synth_pool *p, struct session *s, struct redirect *redirect,
                       size_t *next_pool)
{
  if (start_session(p, s) != 0)
    return 0;
  uint64_t next_check = synth__now_ns() + ms_ns(p->cfg.primary_check_ms);
  while (!atomic_load(&p->stopping)) {
    char *line;
    int n = stratum_conn_read_line(s->conn, &line, READ_TICK_MS);
    if (n == STRATUM_CONN_TOO_LONG) {
      synth__log_warn(&p->log, "pool %s sent a line over %d bytes: disconnecting", p->urls[s->pool],
                      STRATUM_LINE_MAX);
      return 0;
    }
    if (n == STRATUM_CONN_CLOSED) {
      synth__log_warn(&p->log, "pool %s closed the connection", p->urls[s->pool]);
      return 0;
    }
    if (n >= 0 && handle_line(p, s, line, (size_t)n, redirect) != 0)
      return 0;
    if (flush_shares(p, s) != 0)
      return 0;
    time_switch(p, s);
    if (s->pool > 0 && synth__now_ns() >= next_check) {
      next_check = synth__now_ns() + ms_ns(p->cfg.primary_check_ms);
      if (higher_pool_back(p, s->pool, next_pool)) {
        synth__log_info(&p->log, "pool %s answers again: returning to it", p->urls[*next_pool]);
        return 1;
      }
    }
  }
  return 0;
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
  unsigned failures = 0;
  bool ever = false;
  struct redirect redirect = {0};
  unsigned seed = (unsigned)synth__now_ns();
  s->seed = seed ^ 0x5bd1e995u;
  while (!atomic_load(&p->stopping)) {
    char why[256];
    struct stratum_endpoint ep = redirect.set ? redirect.ep : p->eps[pool];
    if (redirect.set && redirect.wait_s && !nap(p, redirect.wait_s * 1000u))
      break;
    redirect.set = false;
    s->conn = stratum_conn_open(&ep, &p->tls, p->cfg.connect_timeout_ms, why, sizeof why);
    if (!s->conn) {
      failures++;
      synth__log_warn(&p->log, "pool %s: %s", p->urls[pool], why);
      if (failures >= p->cfg.failover_after && p->cfg.url_count > 1) {
        pool = (pool + 1) % p->cfg.url_count;
        failures = 0;
        add(&p->failovers, 1);
        synth__log_warn(&p->log, "failing over to pool %s", p->urls[pool]);
        continue;
      }
      /* Exponential back-off with jitter, so many miners do not come back in step. */
      unsigned shift = failures < 16 ? failures - 1 : 15;
      double delay = (double)p->cfg.retry_min_ms * (double)(1u << shift);
      if (delay > p->cfg.retry_max_ms)
        delay = p->cfg.retry_max_ms;
      delay *= 0.5 + 0.5 * (double)rand_r(&seed) / RAND_MAX;
      if (!nap(p, (unsigned)delay))
        break;
      continue;
    }
    if (ever)
      add(&p->reconnects, 1);
    ever = true;
    failures = 0;
    char sid[sizeof s->session_id];
    memcpy(sid, s->session_id, sizeof sid);
    struct stratum_session keep = s->ses;
    size_t kept_pool = s->pool;
    memset(&s->ses, 0, sizeof s->ses);
    s->ses.difficulty = 1;   /* until the pool says otherwise */
    if (kept_pool == pool) { /* resuming the same pool's session keeps its extranonce1 */
      memcpy(s->session_id, sid, sizeof sid);
      memcpy(s->ses.extranonce1, keep.extranonce1, keep.extranonce1_len);
      s->ses.extranonce1_len = keep.extranonce1_len;
    } else {
      s->session_id[0] = 0;
    }
    s->pool = pool;
    s->subscribed = s->authorized = s->rolling = false;
    s->next_id = 1;
    memset(s->pending, 0, sizeof s->pending);
    synth__log_info(&p->log, "pool %s: connected", p->urls[pool]);
    size_t next = pool;
    int moved = run_session(p, s, &redirect, &next);
    stratum_conn_close(s->conn);
    s->conn = NULL;
    set_connected(p, NULL, 0);
    if (moved) {
      pool = next;
      add(&p->failovers, 1);
    }
  }
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

void synth_pool_destroy(synth_pool *p)
{
  if (!p)
    return;
  if (p->started) {
    atomic_store(&p->stopping, true);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
  }
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
