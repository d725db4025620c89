/* stratum_session.c: one connected session with a pool: the handshake with a deadline per
 * step, jobs set on the runtime under the client's own tags, shares sent only where they are
 * valid, and the pool's answers counted. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "pool/job_switch.h"
#include "stratum_pool.h"
#include "stratum_reject.h"
#include "synth/error.h"
#include "synth/version.h"

#define READ_TICK_MS 20 /* how long the thread waits for a line before looking at its queue */
#define SEND_TIMEOUT_MS 5000

static const char *const state_names[] = {
    [ST_CONNECTING] = "connecting",   [ST_SUBSCRIBING] = "subscribing",
    [ST_AUTHORIZING] = "authorizing", [ST_WAITING_JOB] = "waiting for a job",
    [ST_MINING] = "mining",           [ST_BACKING_OFF] = "backing off",
    [ST_STOPPED] = "stopped",
};

static uint64_t ms_ns(unsigned ms)
{
  return (uint64_t)ms * 1000000u;
}

/* The deadline of a handshake state (ms), 0 for the others. */
static unsigned state_deadline_ms(const struct synth_pool *p, enum conn_state st)
{
  return st == ST_SUBSCRIBING   ? p->cfg.subscribe_timeout_ms
         : st == ST_AUTHORIZING ? p->cfg.authorize_timeout_ms
         : st == ST_WAITING_JOB ? p->cfg.first_job_timeout_ms
                                : 0;
}

void stratum_set_state(struct synth_pool *p, struct session *s, enum conn_state st)
{
  s->state = st;
  uint64_t now = synth__now_ns();
  unsigned ms = state_deadline_ms(p, st);
  s->state_deadline_ns = ms ? now + ms_ns(ms) : 0;
  if (st == ST_MINING)
    s->mining_since_ns = now;
  pthread_mutex_lock(&p->lock);
  snprintf(p->text.state, sizeof p->text.state, "%s", state_names[st]);
  p->text.connected = st == ST_MINING || st == ST_WAITING_JOB;
  if (st <= ST_MINING)
    snprintf(p->text.url, sizeof p->text.url, "%s", s->url);
  else if (st == ST_BACKING_OFF)
    p->text.url[0] = 0; /* stopped: the last one stays, for the final report */
  pthread_mutex_unlock(&p->lock);
}

void stratum_session_fail(struct synth_pool *p, struct session *s, const char *fmt, ...)
{
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  synth__log_warn(&p->log, "pool %s: %s", s->url, what);
}

static void count_device(atomic_uint_least64_t *per, struct synth_pool *p, unsigned device)
{
  if (device < p->ndevices)
    pool_add(&per[device], 1);
}

static int send_line(struct synth_pool *p, struct session *s, const char *line, size_t len)
{
  if (stratum_conn_send(s->conn, line, len, SEND_TIMEOUT_MS) != 0) {
    stratum_session_fail(p, s, "closed the connection (a send failed)");
    return -1;
  }
  return 0;
}

/* A slot for request id; one still owed there (over PENDING_MAX in flight) is given up. */
static struct pending *claim_slot(struct synth_pool *p, struct session *s, int64_t id)
{
  struct pending *pe = &s->pending[(uint64_t)id % PENDING_MAX];
  if (pe->kind == REQ_SUBMIT) {
    atomic_fetch_sub(&p->in_flight, 1);
    pool_add(&p->unanswered, 1);
    s->owed_submits--;
  }
  return pe;
}

/* ---- shares ------------------------------------------------------------------------------- */

/* Whether the rate cap lets one more share out now. */
static bool take_token(struct synth_pool *p, struct session *s)
{
  uint64_t now = synth__now_ns();
  double rate = p->cfg.max_submits_per_s;
  s->tokens += (double)(now - s->tokens_ns) * 1e-9 * rate;
  s->tokens_ns = now;
  if (s->tokens > rate)
    s->tokens = rate; /* a burst of one second at most */
  if (s->tokens >= 1) {
    s->tokens -= 1;
    return true;
  }
  return false;
}

/* Sends every queued share whose job is valid in this session; the others are stale, never
 * sent. Returns -1 when the connection broke (the share being sent is queued again). */
static int flush_shares(struct synth_pool *p, struct session *s)
{
  struct stratum_share sh;
  while (s->authorized && stratum_queue_pop(&p->queue, &sh)) {
    const char *pool_job = stratum_jobs_find(&s->jobs, sh.job_id, s->epoch);
    if (!pool_job) {
      pool_add(&p->stale, 1);
      count_device(p->dev_stale, p, sh.s.device);
      synth__log_debug(&p->log, "share of job %s not sent: not valid in this session", sh.job_id);
      continue;
    }
    memcpy(sh.extranonce1, s->ses.extranonce1, s->ses.extranonce1_len);
    sh.extranonce1_len = s->ses.extranonce1_len;
    if (!stratum_sent_add(&p->sent, &sh)) {
      pool_add(&p->duplicates, 1);
      continue;
    }
    if (!take_token(p, s)) {
      pool_add(&p->capped, 1);
      uint64_t now = synth__now_ns();
      if (now - s->capped_said_ns > ms_ns(10000) || !s->capped_said_ns) {
        s->capped_said_ns = now;
        synth__log_warn(&p->log,
                        "pool %s: more than %u shares a second: the excess is counted, not sent "
                        "(%llu so far)",
                        s->url, p->cfg.max_submits_per_s,
                        (unsigned long long)atomic_load(&p->capped));
      }
      continue;
    }
    char line[2048];
    int64_t id = s->next_id++;
    int n = stratum_submit_line(line, sizeof line, id, p->user, pool_job, &sh.s,
                                s->rolling ? s->ses.version_mask : 0);
    if (n < 0) {
      pool_add(&p->rejected, 1); /* cannot happen with checked lengths; counted, not lost */
      continue;
    }
    struct pending *pe = claim_slot(p, s, id);
    *pe = (struct pending){
        .id = id, .kind = REQ_SUBMIT, .device = sh.s.device, .difficulty = s->ses.difficulty};
    if (s->owed_submits++ == 0)
      s->owed_since_ns = synth__now_ns();
    pool_add(&p->in_flight, 1);
    if (send_line(p, s, line, (size_t)n) != 0)
      return -1; /* it was written in part at most: counted unanswered with the others */
    pool_add(&p->submitted, 1);
  }
  return 0;
}

/* ---- requests and answers ----------------------------------------------------------------- */

static int request(struct synth_pool *p, struct session *s, enum request_kind kind,
                   const char *method, const char *params)
{
  char line[4096];
  int64_t id = s->next_id++;
  int n = snprintf(line, sizeof line, "{\"id\":%lld,\"method\":\"%s\",\"params\":%s}\n",
                   (long long)id, method, params);
  if (n < 0 || (size_t)n >= sizeof line)
    return -1;
  *claim_slot(p, s, id) = (struct pending){.id = id, .kind = kind};
  int rc = send_line(p, s, line, (size_t)n);
  memset(line, 0, sizeof line); /* it may hold the password */
  return rc;
}

static int start_session(struct synth_pool *p, struct session *s)
{
  char params[4000], ua[64], quser[800], qpass[1600], qsid[300];
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
  int rc = request(p, s, REQ_AUTHORIZE, "mining.authorize", params);
  memset(params, 0, sizeof params);
  memset(qpass, 0, sizeof qpass);
  if (rc != 0)
    return -1;
  return request(p, s, REQ_EXTRANONCE, "mining.extranonce.subscribe", "[]");
}

/* Counts a reject under its reason: the first SYNTH_POOL_REASONS - 1 distinct ones by name. */
static void count_reason(struct synth_pool *p, const char *reason)
{
  pthread_mutex_lock(&p->lock);
  struct synth_pool_stats *t = &p->text;
  snprintf(t->last_reject, sizeof t->last_reject, "%s", reason);
  unsigned i = 0;
  while (i < t->reject_reasons &&
         strncmp(t->rejects[i].reason, reason, sizeof t->rejects[i].reason - 1) != 0)
    i++;
  if (i == t->reject_reasons) {
    if (i == SYNTH_POOL_REASONS - 1 && strcmp(reason, "other") != 0)
      reason = "other";
    if (i < SYNTH_POOL_REASONS) {
      snprintf(t->rejects[i].reason, sizeof t->rejects[i].reason, "%s", reason);
      t->reject_reasons++;
    } else {
      i = SYNTH_POOL_REASONS - 1;
    }
  }
  t->rejects[i].count++;
  pthread_mutex_unlock(&p->lock);
}

static void on_submit_answer(struct synth_pool *p, struct session *s, struct pending *pe,
                             const struct stratum_msg *m)
{
  atomic_fetch_sub(&p->in_flight, 1);
  if (--s->owed_submits > 0)
    s->owed_since_ns = synth__now_ns();
  if (json_is_true(m->result) && !m->error) {
    uint64_t n = atomic_fetch_add_explicit(&p->accepted, 1, memory_order_relaxed) + 1;
    count_device(p->dev_accepted, p, pe->device);
    pthread_mutex_lock(&p->lock);
    p->text.accepted_difficulty += pe->difficulty;
    pthread_mutex_unlock(&p->lock);
    synth__log_info(&p->log, "share accepted (%llu so far)", (unsigned long long)n);
    return;
  }
  char reason[64];
  if (stratum_reject_reason(m->root, m->result, m->error, reason, sizeof reason)) {
    pool_add(&p->stale, 1);
    count_device(p->dev_stale, p, pe->device);
  } else {
    pool_add(&p->rejected, 1);
    count_device(p->dev_rejected, p, pe->device);
  }
  count_reason(p, reason);
  synth__log_info(&p->log, "share rejected: %s", reason);
}

/* The session is new (another pool, endpoint or extranonce1): shares of the old one are stale
 * from now on, wherever they are. */
static void new_epoch(struct session *s)
{
  s->epoch++;
  stratum_jobs_clear(&s->jobs);
  s->fresh_session = true; /* the next job is clean whatever it says */
}

static bool same_endpoint(const struct stratum_endpoint *a, const struct stratum_endpoint *b)
{
  return a->port == b->port && a->tls == b->tls && strcasecmp(a->host, b->host) == 0;
}

static int on_subscribed(struct synth_pool *p, struct session *s, const struct stratum_msg *m)
{
  uint8_t en1[SYNTH_EXTRANONCE_MAX];
  size_t en1_len, en2_size;
  char why[256];
  if (m->error ||
      stratum_subscribe_result(m->result, en1, &en1_len, &en2_size, why, sizeof why) != 0) {
    if (m->error)
      stratum_reject_reason(m->root, m->result, m->error, why, sizeof why);
    stratum_session_fail(p, s, "mining.subscribe failed: %s", why);
    return -1;
  }
  bool resumed = s->had_session && same_endpoint(&s->ep, &s->last_ep) &&
                 en1_len == s->ses.extranonce1_len && memcmp(en1, s->ses.extranonce1, en1_len) == 0;
  if (!resumed)
    new_epoch(s);
  else
    synth__log_info(&p->log, "pool %s: session resumed: its saved shares are sent", s->url);
  s->had_session = true;
  s->last_ep = s->ep;
  memcpy(s->ses.extranonce1, en1, en1_len);
  s->ses.extranonce1_len = en1_len;
  s->ses.extranonce2_size = en2_size;
  s->subscribed = true;
  /* The session id to resume with: the mining.notify subscription's id, if any. */
  s->session_id[0] = 0;
  json_t *subs = json_array_get(m->result, 0), *sub;
  size_t i;
  json_array_foreach(subs, i, sub)
  {
    const char *name = json_string_value(json_array_get(sub, 0));
    const char *id = json_string_value(json_array_get(sub, 1));
    if (name && id && strcmp(name, "mining.notify") == 0 && strlen(id) < sizeof s->session_id)
      snprintf(s->session_id, sizeof s->session_id, "%s", id);
  }
  if (s->state == ST_SUBSCRIBING)
    stratum_set_state(p, s, ST_AUTHORIZING);
  return 0;
}

/* Returns -1 when the session cannot go on. */
static int on_response(struct synth_pool *p, struct session *s, const struct stratum_msg *m)
{
  struct pending *pe = &s->pending[(uint64_t)m->id % PENDING_MAX];
  if (pe->kind == REQ_NONE || pe->id != m->id) {
    synth__log_debug(&p->log, "pool answered request %lld we did not send", (long long)m->id);
    return 0;
  }
  enum request_kind kind = pe->kind;
  pe->kind = REQ_NONE;
  char why[256];
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
  case REQ_SUBSCRIBE:
    return on_subscribed(p, s, m);
  case REQ_AUTHORIZE:
    if (!json_is_true(m->result) || m->error) {
      if (m->error || json_object_get(m->root, "reject-reason"))
        stratum_reject_reason(m->root, m->result, m->error, why, sizeof why);
      else
        snprintf(why, sizeof why, "refused");
      stratum_session_fail(p, s, "worker %s not authorized: %s", p->user, why);
      return -1;
    }
    s->authorized = true;
    synth__log_info(&p->log, "pool %s: authorized as %s", s->url, p->user);
    if (s->subscribed)
      stratum_set_state(p, s, s->have_job ? ST_MINING : ST_WAITING_JOB);
    return 0;
  case REQ_EXTRANONCE:
    return 0; /* pools that do not know it answer with an error: nothing changes */
  case REQ_SUBMIT:
    on_submit_answer(p, s, pe, m);
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
  uint64_t half = synth_job_rolls(job) / 2;
  uint64_t r = (uint64_t)rand_r(seed) << 31 ^ (uint64_t)rand_r(seed);
  return half ? (uint32_t)(r % half) : 0;
}

/* A standby client's latest job, for synth_pool_activate(). */
static void park(struct parked_job *pk, const struct stratum_notify *n,
                 const struct stratum_session *ses, const char *tag, uint32_t first_roll)
{
  pk->notify = *n;
  pk->ses = *ses;
  snprintf(pk->tag, sizeof pk->tag, "%s", tag);
  pk->first_roll = first_roll;
  pk->set = true;
}

static void on_notify(struct synth_pool *p, struct session *s, const struct stratum_notify *n)
{
  pool_add(&p->jobs, 1);
  if (!s->subscribed) {
    synth__log_warn(&p->log, "pool %s sent a job before the subscription: ignored", s->url);
    return;
  }
  bool clean = n->clean || s->fresh_session;
  struct synth_job job;
  if (stratum_job_from_notify(n, &s->ses, clean, &job) != 0) {
    synth__log_warn(&p->log, "job %s: difficulty %g gives no target: ignored", n->job_id,
                    s->ses.difficulty);
    return;
  }
  if (clean)
    stratum_jobs_clear(&s->jobs);
  /* The runtime hashes it under the client's own tag: a share then names one job of one
   * session, whatever ids the pool reuses. */
  job.job_id = stratum_jobs_add(&s->jobs, n->job_id, s->epoch);
  job.first_roll = first_roll(&job, &s->seed);
  uint64_t t = synth__now_ns();
  int rc = 0;
  pthread_mutex_lock(&p->job_lock);
  enum pool_role role = p->role;
  if (role == ROLE_ACTIVE)
    rc = synth_runtime_set_job(p->rt, &job);
  else if (role == ROLE_STANDBY)
    park(p->parked, n, &s->ses, job.job_id, job.first_roll);
  pthread_mutex_unlock(&p->job_lock);
  if (rc != 0) {
    synth__log_warn(&p->log, "job %s refused: %s", n->job_id, synth_strerror(rc));
    return;
  }
  if (role == ROLE_DRAINING)
    synth__log_debug(&p->log, "job %s not set: this client is handing over", n->job_id);
  if (clean)
    stratum_sent_clear(&p->sent);
  if (clean && role == ROLE_ACTIVE) { /* timed from the notify to every device hashing it */
    s->switch_serial = synth_runtime_job_serial(p->rt);
    s->switch_notify_ns = t;
  }
  s->fresh_session = false;
  s->have_job = true;
  pthread_mutex_lock(&p->lock);
  snprintf(p->text.job_id, sizeof p->text.job_id, "%s", n->job_id);
  pthread_mutex_unlock(&p->lock);
  if (s->state == ST_WAITING_JOB)
    stratum_set_state(p, s, ST_MINING);
}

/* Once every live device has started a batch of the switched-to job, the switch is timed. */
static void time_switch(struct synth_pool *p, struct session *s)
{
  if (!s->switch_serial)
    return;
  uint64_t last;
  if (!synth__switch_arrived(p->rt, p->ndevices, s->switch_serial, &last))
    return;
  if (last) {
    double ms = last > s->switch_notify_ns ? (double)(last - s->switch_notify_ns) * 1e-6 : 0;
    pthread_mutex_lock(&p->lock);
    p->switch_ms[p->switches % SWITCH_SAMPLES] = ms;
    p->switches++;
    pthread_mutex_unlock(&p->lock);
  }
  s->switch_serial = 0;
}

static void on_difficulty(struct synth_pool *p, struct session *s, double d)
{
  /* Applies from the next job on, as pools mean it. A tiny one would make every hash a share:
   * raised to the floor (the pool still gets shares it accepts, only fewer). */
  if (d < p->cfg.min_difficulty) {
    if (!s->floor_said)
      synth__log_warn(&p->log, "pool %s: difficulty %g is below the floor %g: shares are cut at %g",
                      s->url, d, p->cfg.min_difficulty, p->cfg.min_difficulty);
    s->floor_said = true;
    d = p->cfg.min_difficulty;
  }
  s->ses.difficulty = d;
  pthread_mutex_lock(&p->lock);
  p->text.difficulty = d;
  pthread_mutex_unlock(&p->lock);
}

static int on_reconnect(struct synth_pool *p, struct session *s, const struct stratum_msg *m,
                        struct redirect *redirect)
{
  /* Only to the same host: a pool must not send its miners anywhere else. */
  const char *host = m->u.reconnect.host[0] ? m->u.reconnect.host : s->ep.host;
  if (strcasecmp(host, s->ep.host) != 0) {
    synth__log_warn(&p->log, "pool %s asked to reconnect to %s: refused (another host)", s->url,
                    host);
    return 0;
  }
  redirect->set = true;
  redirect->ep = s->ep;
  if (m->u.reconnect.port)
    redirect->ep.port = m->u.reconnect.port;
  /* A pool may ask for a pause, not for the miner's whole day. */
  unsigned cap = p->cfg.retry_max_ms / 1000;
  redirect->wait_s = m->u.reconnect.wait_s < cap ? m->u.reconnect.wait_s : cap;
  synth__log_info(&p->log, "pool %s: reconnecting to port %u as the pool asks", s->url,
                  redirect->ep.port);
  return 1;
}

/* Returns 0 to go on, -1 when the session failed, 1 for a redirect. */
static int handle_line(struct synth_pool *p, struct session *s, const char *line, size_t len,
                       struct redirect *redirect)
{
  struct stratum_msg m;
  char why[256];
  if (stratum_msg_parse(line, len, &m, why, sizeof why) != 0) {
    synth__log_warn(&p->log, "pool %s: message dropped: %s", s->url, why);
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
    on_difficulty(p, s, m.u.difficulty);
    break;
  case STRATUM_SET_EXTRANONCE:
    memcpy(s->ses.extranonce1, m.u.extranonce.extranonce1, m.u.extranonce.extranonce1_len);
    s->ses.extranonce1_len = m.u.extranonce.extranonce1_len;
    s->ses.extranonce2_size = m.u.extranonce.extranonce2_size;
    new_epoch(s);
    synth__log_info(&p->log, "pool %s: new extranonce1 from the next job on", s->url);
    break;
  case STRATUM_SET_VERSION_MASK:
    s->ses.version_mask = s->rolling ? m.u.version_mask & 0x1fffe000u : 0;
    break;
  case STRATUM_RECONNECT:
    rc = on_reconnect(p, s, &m, redirect);
    break;
  case STRATUM_SHOW_MESSAGE:
    synth__log_info(&p->log, "pool %s says: %s", s->url, m.u.message);
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
    synth__log_debug(&p->log, "pool %s: method %s ignored", s->url, m.method);
    break;
  }
  stratum_msg_free(&m);
  return rc;
}

/* The deadline of the state, or of an answer owed while mining. Returns -1 when missed. */
static int check_deadlines(struct synth_pool *p, struct session *s)
{
  uint64_t now = synth__now_ns();
  if (s->state_deadline_ns && now >= s->state_deadline_ns) {
    const char *what = s->state == ST_SUBSCRIBING   ? "answer to mining.subscribe"
                       : s->state == ST_AUTHORIZING ? "answer to mining.authorize"
                                                    : "first job";
    stratum_session_fail(p, s, "no %s within %u ms", what, state_deadline_ms(p, s->state));
    return -1;
  }
  if (s->owed_submits > 0) {
    uint64_t since = s->last_line_ns > s->owed_since_ns ? s->last_line_ns : s->owed_since_ns;
    if (now - since >= ms_ns(p->cfg.reply_timeout_ms)) {
      stratum_session_fail(p, s, "silent for %u ms while %u answers are owed",
                           p->cfg.reply_timeout_ms, s->owed_submits);
      return -1;
    }
  }
  return 0;
}

/* Answers still owed when a session ends will not come: counted as unanswered. */
static void forget_pending(struct synth_pool *p, struct session *s)
{
  for (size_t i = 0; i < PENDING_MAX; i++)
    if (s->pending[i].kind == REQ_SUBMIT) {
      atomic_fetch_sub(&p->in_flight, 1);
      pool_add(&p->unanswered, 1);
    }
  memset(s->pending, 0, sizeof s->pending);
  s->owed_submits = 0;
}

enum session_end stratum_session_run(struct synth_pool *p, struct session *s,
                                     struct redirect *redirect, bool (*go_back)(void *), void *arg)
{
  s->subscribed = s->authorized = s->rolling = s->have_job = false;
  s->next_id = 1;
  s->ses.difficulty = 1; /* until the pool says otherwise */
  s->floor_said = false;
  s->last_line_ns = synth__now_ns();
  s->tokens = p->cfg.max_submits_per_s;
  s->tokens_ns = synth__now_ns();
  stratum_set_state(p, s, ST_SUBSCRIBING);
  enum session_end end = END_FAILED;
  if (start_session(p, s) != 0)
    goto out;
  while (!atomic_load(&p->stopping)) {
    char *line;
    int n = stratum_conn_read_line(s->conn, &line, READ_TICK_MS);
    if (n == STRATUM_CONN_TOO_LONG) {
      stratum_session_fail(p, s, "a line over %d bytes: disconnecting", STRATUM_LINE_MAX);
      goto out;
    }
    if (n == STRATUM_CONN_CLOSED) {
      stratum_session_fail(p, s, "closed the connection (%s)", state_names[s->state]);
      goto out;
    }
    if (n >= 0) {
      s->last_line_ns = synth__now_ns();
      int rc = handle_line(p, s, line, (size_t)n, redirect);
      if (rc != 0) {
        end = rc > 0 ? END_REDIRECT : END_FAILED;
        goto out;
      }
    }
    if (flush_shares(p, s) != 0 || check_deadlines(p, s) != 0)
      goto out;
    time_switch(p, s);
    if (s->state == ST_MINING && go_back && go_back(arg)) {
      end = END_FAILBACK;
      goto out;
    }
  }
  end = END_STOPPED;
out:
  if (end != END_STOPPED)
    forget_pending(p, s);
  return end;
}
