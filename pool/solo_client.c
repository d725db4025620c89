/* solo_client.c: the solo client's API: checks the config, starts and stops the threads, queues
 * shares, copies the figures. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "pool/solo_state.h"
#include "synth/error.h"

static char *dup_or_null(const char *s)
{
  return s ? strdup(s) : NULL;
}

static void drop_secret(char **p)
{
  if (*p)
    explicit_bzero(*p, strlen(*p));
  free(*p);
  *p = NULL;
}

/* Whether the address decodes for some chain; its error for main in @why when none. */
static bool address_decodes(const char *address, char *why, size_t why_size)
{
  static const enum synth__solo_chain chains[] = {SYNTH__SOLO_MAIN, SYNTH__SOLO_TEST,
                                                  SYNTH__SOLO_REGTEST};
  uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
  size_t len;
  char err[160];
  for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++)
    if (synth__solo_address_script(address, chains[i], script, &len, i ? err : why,
                                   i ? sizeof err : why_size) == 0)
      return true;
  return false;
}

/* The config's checks that need no node. Returns 0 or SYNTH_EINVAL / SYNTH_ENOTSUP, logged. */
static int check_config(struct synth_solo *s, const struct synth_solo_config *cfg)
{
  char why[192];
  if (!cfg->url || strlen(cfg->url) > SYNTH_SOLO_URL_MAX ||
      synth__rpc_url_parse(cfg->url, &s->node, why, sizeof why) != 0) {
    synth__log_error(&s->log, "node: %s", cfg->url ? why : "no URL");
    return SYNTH_EINVAL;
  }
  if (!cfg->coinbase_address || !cfg->coinbase_address[0]) {
    synth__log_error(&s->log, "solo mining needs a payout address (--coinbase-addr)");
    return SYNTH_EINVAL;
  }
  if (!address_decodes(cfg->coinbase_address, why, sizeof why)) {
    synth__log_error(&s->log, "coinbase address %.100s: %s", cfg->coinbase_address, why);
    return SYNTH_EINVAL;
  }
  if (!cfg->cookie_file == !(cfg->user && cfg->user[0])) {
    synth__log_error(&s->log,
                     "node %s: give RPC credentials as a user and password, or a "
                     "cookie file, not both or neither",
                     cfg->url);
    return SYNTH_EINVAL;
  }
  const char *tag = cfg->coinbase_tag ? cfg->coinbase_tag : "/synthminer/";
  if (strlen(tag) > SYNTH_SOLO_TAG_MAX) {
    synth__log_error(&s->log, "coinbase tag: at most %d bytes", SYNTH_SOLO_TAG_MAX);
    return SYNTH_EINVAL;
  }
  memcpy(s->tag, tag, strlen(tag));
  s->tag_len = strlen(tag);
  if (cfg->zmq_url && !solo_zmq_available()) {
    synth__log_error(&s->log, "--zmq: this build has no ZMQ support (libzmq)");
    return SYNTH_ENOTSUP;
  }
  if (cfg->zmq_url && strncmp(cfg->zmq_url, "tcp://", 6) != 0 &&
      strncmp(cfg->zmq_url, "ipc://", 6) != 0) {
    synth__log_error(&s->log,
                     "--zmq %.100s: expected tcp://HOST:PORT (the node's "
                     "zmqpubhashblock)",
                     cfg->zmq_url);
    return SYNTH_EINVAL;
  }
  return 0;
}

int synth_solo_create(synth_solo **out, synth_runtime *rt, const struct synth_solo_config *cfg)
{
  if (!out || !rt || !cfg)
    return SYNTH_EINVAL;
  *out = NULL;
  struct synth_solo *s = calloc(1, sizeof *s);
  if (!s)
    return SYNTH_ENOMEM;
  s->rt = rt;
  s->cfg = *cfg;
  s->log = (struct synth__logger){cfg->log_fn, cfg->log_user, cfg->log_level};
  s->current = -1;
  int rc = check_config(s, cfg);
  if (rc != 0) {
    free(s);
    return rc;
  }
#define DEFAULT(field, v)                                                                          \
  if (!s->cfg.field)                                                                               \
  s->cfg.field = (v)
  DEFAULT(rpc_timeout_ms, 30000);
  DEFAULT(refresh_ms, 30000);
  DEFAULT(retry_min_ms, 1000);
  DEFAULT(retry_max_ms, 60000);
#undef DEFAULT
  if (s->cfg.retry_max_ms < s->cfg.retry_min_ms)
    s->cfg.retry_max_ms = s->cfg.retry_min_ms;
  s->url = strdup(cfg->url);
  s->user = dup_or_null(cfg->user);
  s->password = strdup(cfg->password ? cfg->password : "");
  s->cookie_file = dup_or_null(cfg->cookie_file);
  s->address = strdup(cfg->coinbase_address);
  s->zmq_url = dup_or_null(cfg->zmq_url);
  s->ca_file = dup_or_null(cfg->tls_ca_file);
  if (!s->url || !s->password || !s->address || (cfg->user && !s->user) ||
      (cfg->cookie_file && !s->cookie_file) || (cfg->zmq_url && !s->zmq_url) ||
      (cfg->tls_ca_file && !s->ca_file)) {
    synth_solo_destroy(s);
    return SYNTH_ENOMEM;
  }
  s->node.tls = (struct stratum_tls_options){cfg->tls_insecure != 0, s->ca_file};
  s->ndevices = synth_runtime_device_count(rt);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->wake, &ca);
  pthread_cond_init(&s->poll_wake, &ca);
  pthread_condattr_destroy(&ca);
  s->lock_ready = true;
  snprintf(s->text.url, sizeof s->text.url, "%s", s->url);
  snprintf(s->text.state, sizeof s->text.state, "stopped");
  *out = s;
  return 0;
}

int synth_solo_start(synth_solo *s)
{
  if (!s || s->started)
    return s ? SYNTH_ESTATE : SYNTH_EINVAL;
  solo_set_state(s, "connecting");
  if (pthread_create(&s->worker, NULL, solo_worker_main, s) != 0)
    return SYNTH_ESYSTEM;
  s->started = true;
  if (!s->cfg.longpoll_off && pthread_create(&s->poller, NULL, solo_longpoll_main, s) == 0)
    s->poller_started = true;
  if (s->zmq_url && pthread_create(&s->listener, NULL, solo_zmq_main, s) == 0)
    s->listener_started = true;
  if ((!s->cfg.longpoll_off && !s->poller_started) || (s->zmq_url && !s->listener_started)) {
    synth_solo_stop(s);
    return SYNTH_ESYSTEM;
  }
  return 0;
}

void synth_solo_submit(synth_solo *s, const struct synth_share *share)
{
  if (!s || !share || !share->job_id)
    return;
  solo_add(&s->found, 1);
  pthread_mutex_lock(&s->lock);
  if (s->qlen == SOLO_QUEUE_MAX) {
    solo_add(&s->unsent, 1);
  } else {
    struct solo_queued *q = &s->queue[(s->qhead + s->qlen++) % SOLO_QUEUE_MAX];
    q->share = *share;
    snprintf(q->job_id, sizeof q->job_id, "%s", share->job_id);
    q->share.job_id = q->job_id;
    pthread_cond_signal(&s->wake);
  }
  pthread_mutex_unlock(&s->lock);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median and the largest of a source's switch samples. */
static void switch_figures(const double *samples, uint64_t count, double *p50, double *max)
{
  size_t n = count < SOLO_SAMPLES ? (size_t)count : SOLO_SAMPLES;
  double sorted[SOLO_SAMPLES];
  memcpy(sorted, samples, n * sizeof sorted[0]);
  qsort(sorted, n, sizeof sorted[0], cmp_double);
  *p50 = n ? sorted[(n * 50 + 99) / 100 - 1] : 0;
  *max = n ? sorted[n - 1] : 0;
}

int synth_solo_stats(synth_solo *s, struct synth_solo_stats *out, size_t out_size)
{
  if (!s || !out || out_size < offsetof(struct synth_solo_stats, height))
    return SYNTH_EINVAL;
  struct synth_solo_stats t;
  pthread_mutex_lock(&s->lock);
  t = s->text;
  t.queued = s->qlen;
  if (s->template_ns)
    t.template_age_ms = (synth__now_ns() - s->template_ns) / 1000000u;
  switch_figures(s->switch_ms[SOLO_FROM_LONGPOLL], t.switches_longpoll, &t.switch_longpoll_p50_ms,
                 &t.switch_longpoll_max_ms);
  switch_figures(s->switch_ms[SOLO_FROM_ZMQ], t.switches_zmq, &t.switch_zmq_p50_ms,
                 &t.switch_zmq_max_ms);
  pthread_mutex_unlock(&s->lock);
#define COPY(f) t.f = atomic_load(&s->f)
  COPY(found);
  COPY(submitted);
  COPY(accepted);
  COPY(rejected);
  COPY(inconclusive);
  COPY(duplicate_answers);
  COPY(unanswered);
  COPY(duplicates);
  COPY(stale);
  COPY(unsent);
  COPY(templates);
  COPY(longpolls);
  COPY(zmq_blocks);
  COPY(rpc_errors);
  COPY(proposals);
  COPY(proposals_rejected);
#undef COPY
  memcpy(out, &t, out_size < sizeof t ? out_size : sizeof t);
  return 0;
}

void synth_solo_stop(synth_solo *s)
{
  if (!s || !s->started)
    return;
  pthread_mutex_lock(&s->lock);
  atomic_store(&s->stopping, true);
  pthread_cond_broadcast(&s->wake);
  pthread_cond_broadcast(&s->poll_wake);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->worker, NULL);
  if (s->poller_started)
    pthread_join(s->poller, NULL);
  if (s->listener_started)
    pthread_join(s->listener, NULL);
  s->started = s->poller_started = s->listener_started = false;
  pthread_mutex_lock(&s->lock);
  if (!s->text.failed)
    snprintf(s->text.state, sizeof s->text.state, "stopped");
  pthread_mutex_unlock(&s->lock);
}

void synth_solo_destroy(synth_solo *s)
{
  if (!s)
    return;
  synth_solo_stop(s);
  for (unsigned i = 0; i < SOLO_SLOTS; i++)
    synth__solo_template_free(&s->slots[i].tpl);
  synth__solo_template_free(&s->incoming);
  if (s->lock_ready) {
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->poll_wake);
  }
  explicit_bzero(&s->node, sizeof s->node);
  explicit_bzero(&s->poll_node, sizeof s->poll_node);
  drop_secret(&s->password);
  free(s->url);
  free(s->user);
  free(s->cookie_file);
  free(s->address);
  free(s->zmq_url);
  free(s->ca_file);
  free(s);
}

/* ---- shared by the threads ---------------------------------------------------------------- */

json_t *solo_gbt_params(const char *longpollid)
{
  json_t *req = json_pack("{s:[s],s:[s,s,s]}", "rules", "segwit", "capabilities", "longpoll",
                          "proposal", "workid");
  if (req && longpollid)
    json_object_set_new(req, "longpollid", json_string(longpollid));
  return req ? json_pack("[o]", req) : NULL;
}

void solo_set_state(struct synth_solo *s, const char *state)
{
  pthread_mutex_lock(&s->lock);
  snprintf(s->text.state, sizeof s->text.state, "%s", state);
  pthread_mutex_unlock(&s->lock);
}

bool solo_pause(struct synth_solo *s, unsigned ms)
{
  struct timespec until = synth__deadline_ms(ms);
  pthread_mutex_lock(&s->lock);
  if (!atomic_load(&s->stopping))
    pthread_cond_timedwait(&s->wake, &s->lock, &until);
  pthread_mutex_unlock(&s->lock);
  return !atomic_load(&s->stopping);
}

unsigned solo_backoff_ms(const struct synth_solo *s, unsigned failures, unsigned *seed)
{
  uint64_t ms = s->cfg.retry_min_ms;
  for (unsigned i = 1; i < failures && ms < s->cfg.retry_max_ms; i++)
    ms *= 2;
  if (ms > s->cfg.retry_max_ms)
    ms = s->cfg.retry_max_ms;
  /* ±25 %, so that many miners behind one node do not call it in step */
  uint64_t jitter = ms / 2 ? (uint64_t)rand_r(seed) % (ms / 2) : 0;
  return (unsigned)(ms - ms / 4 + jitter);
}
