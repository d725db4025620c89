/* solo_worker.c: the solo client's main thread: checks the node (chain, sync, address), takes
 * templates (its own calls, the long poller's answers, ZMQ hints), sets them on the runtime as
 * jobs, and sends what the runtime finds with submitblock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/hex.h"
#include "pool/job_switch.h"
#include "pool/solo_block.h"
#include "pool/solo_state.h"
#include "precompute/sha256.h"
#include "synth/error.h"
#include "synth/target.h"

enum step { STEP_OK, STEP_RETRY, STEP_FATAL, STEP_STOPPED };

static void set_error(struct synth_solo *s, const char *msg)
{
  pthread_mutex_lock(&s->lock);
  snprintf(s->text.last_error, sizeof s->text.last_error, "%.*s",
           (int)sizeof s->text.last_error - 1, msg);
  pthread_mutex_unlock(&s->lock);
}

/* Logs a failed call once, in words a user can act on, and sets the state. */
static enum step call_failed(struct synth_solo *s, const char *method,
                             const struct synth__rpc_answer *a)
{
  if (a->status == SYNTH__RPC_STOPPED)
    return STEP_STOPPED;
  solo_add(&s->rpc_errors, 1);
  char msg[320];
  const char *state = "backing off";
  if (a->status == SYNTH__RPC_ERROR && a->code == -28) {
    state = "warming up";
    snprintf(msg, sizeof msg, "node %s is warming up (%.160s): waiting", s->url, a->message);
  } else if (a->status == SYNTH__RPC_ERROR && a->code == -10) {
    state = "initial block download";
    snprintf(msg, sizeof msg, "node %s is in initial block download: waiting for it", s->url);
  } else if (a->status == SYNTH__RPC_ERROR && a->code == -9) {
    snprintf(msg, sizeof msg, "node %s has no peers (%.160s): waiting", s->url, a->message);
  } else if (a->status == SYNTH__RPC_AUTH) {
    snprintf(msg, sizeof msg,
             "node %s refused the RPC credentials: check -u/-p or --rpc-cookie (and the node's "
             "rpcauth)",
             s->url);
  } else if (a->status == SYNTH__RPC_ERROR) {
    snprintf(msg, sizeof msg, "node %s: %s: error %lld: %.160s", s->url, method, (long long)a->code,
             a->message);
  } else {
    snprintf(msg, sizeof msg, "node %s: %s: %s: %.160s", s->url, method,
             synth__rpc_status_name(a->status), a->message);
  }
  synth__log(&s->log, a->status == SYNTH__RPC_AUTH ? SYNTH_LOG_ERROR : SYNTH_LOG_WARN, "%s", msg);
  set_error(s, msg);
  solo_set_state(s, state);
  return STEP_RETRY;
}

static enum synth__rpc_status call(struct synth_solo *s, const char *method, json_t *params,
                                   struct synth__rpc_answer *a)
{
  return synth__rpc_call(&s->node, method, params, solo_id(s), s->cfg.rpc_timeout_ms, &s->stopping,
                         a);
}

/* The credentials: user and password, or the cookie file's first line (read every time: the
 * node writes a new one when it restarts). */
static enum step load_auth(struct synth_solo *s)
{
  char line[512] = "";
  int bad = 0;
  if (s->cookie_file) {
    FILE *f = fopen(s->cookie_file, "re");
    bad = !f || !fgets(line, sizeof line, f);
    if (f)
      fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    bad |= !strchr(line, ':');
  } else {
    bad = (size_t)snprintf(line, sizeof line, "%s:%s", s->user, s->password) >= sizeof line;
  }
  if (!bad)
    bad = synth__rpc_set_auth(&s->node, line);
  explicit_bzero(line, sizeof line);
  if (bad) {
    char msg[320];
    snprintf(msg, sizeof msg, "node %s: cannot read the RPC cookie %.200s (is the node up?)",
             s->url, s->cookie_file ? s->cookie_file : "");
    synth__log_warn(&s->log, "%s", msg);
    set_error(s, msg);
    solo_set_state(s, "backing off");
    return STEP_RETRY;
  }
  pthread_mutex_lock(&s->lock);
  s->poll_node = s->node;
  pthread_mutex_unlock(&s->lock);
  return STEP_OK;
}

static enum step fatal(struct synth_solo *s, const char *msg)
{
  synth__log_error(&s->log, "%s", msg);
  pthread_mutex_lock(&s->lock);
  snprintf(s->text.last_error, sizeof s->text.last_error, "%.*s",
           (int)sizeof s->text.last_error - 1, msg);
  snprintf(s->text.state, sizeof s->text.state, "failed");
  s->text.failed = 1;
  pthread_mutex_unlock(&s->lock);
  return STEP_FATAL;
}

/* getblockchaininfo: the chain (the address must be for it) and whether it is synced. */
static enum step check_node(struct synth_solo *s)
{
  enum step st = load_auth(s);
  if (st != STEP_OK)
    return st;
  struct synth__rpc_answer a;
  if (call(s, "getblockchaininfo", NULL, &a) != SYNTH__RPC_OK)
    return call_failed(s, "getblockchaininfo", &a);
  const char *chain = json_string_value(json_object_get(a.result, "chain"));
  json_t *ibd = json_object_get(a.result, "initialblockdownload");
  char msg[320];
  if (!chain || synth__solo_chain_parse(chain, &s->chain) != 0) {
    json_decref(a.result);
    a = (struct synth__rpc_answer){.status = SYNTH__RPC_MALFORMED};
    snprintf(a.message, sizeof a.message, "no known \"chain\" in the answer");
    return call_failed(s, "getblockchaininfo", &a);
  }
  pthread_mutex_lock(&s->lock);
  snprintf(s->text.chain, sizeof s->text.chain, "%s", chain);
  pthread_mutex_unlock(&s->lock);
  bool syncing = json_is_true(ibd);
  json_decref(a.result);
  char why[160];
  if (synth__solo_address_script(s->address, s->chain, s->script, &s->script_len, why,
                                 sizeof why) != 0) {
    snprintf(msg, sizeof msg, "coinbase address %.100s: %s", s->address, why);
    return fatal(s, msg);
  }
  if (syncing) {
    a = (struct synth__rpc_answer){.status = SYNTH__RPC_ERROR, .code = -10};
    return call_failed(s, "getblockchaininfo", &a);
  }
  return STEP_OK;
}

static char *to_hex(const uint8_t *b, size_t n)
{
  char *h = malloc(2 * n + 1);
  if (h)
    synth__hex_encode(b, n, h);
  return h;
}

/* A hash in digest order as explorers show it. */
static void hash_shown(const uint8_t h[32], char out[65])
{
  uint8_t r[32];
  for (int i = 0; i < 32; i++)
    r[i] = h[31 - i];
  char *x = to_hex(r, 32);
  snprintf(out, 65, "%s", x ? x : "");
  free(x);
}

/* BIP 23: the node checks the template's block without its proof of work. */
static enum step propose(struct synth_solo *s, const struct synth__solo_job *j)
{
  uint8_t en2[SYNTH__SOLO_EN2_LEN] = {0}, *block = NULL;
  size_t len = 0;
  if (synth__solo_job_block(j, en2, j->job.ntime, j->job.version, 0, NULL, &block, &len) != 0)
    return fatal(s, "cannot build the block of a template to propose it");
  char *hex = to_hex(block, len);
  free(block);
  json_t *params = hex ? json_pack("[{s:s,s:s}]", "mode", "proposal", "data", hex) : NULL;
  free(hex);
  struct synth__rpc_answer a;
  if (!params || call(s, "getblocktemplate", params, &a) != SYNTH__RPC_OK)
    return params ? call_failed(s, "getblocktemplate proposal", &a) : STEP_RETRY;
  solo_add(&s->proposals, 1);
  enum step st = STEP_OK;
  if (!json_is_null(a.result)) {
    solo_add(&s->proposals_rejected, 1);
    char msg[256];
    snprintf(msg, sizeof msg, "node %s finds the template of height %u invalid: %.64s", s->url,
             j->tpl->height, json_is_string(a.result) ? json_string_value(a.result) : "?");
    synth__log_error(&s->log, "%s", msg);
    set_error(s, msg);
    st = STEP_RETRY;
  }
  json_decref(a.result);
  return st;
}

/* Makes @t (moved in) the job every device hashes; @news_ns is when its news came (0: now),
 * from @source when it has one (< SOLO_SOURCES). */
static enum step install(struct synth_solo *s, struct synth__solo_template *t, uint64_t news_ns,
                         int source, uint64_t parse_ns)
{
  uint64_t t0 = synth__now_ns();
  unsigned i = s->next_slot;
  if ((int)i == s->current)
    i = (i + 1) % SOLO_SLOTS;
  struct solo_slot *slot = &s->slots[i];
  synth__solo_template_free(&slot->tpl);
  pthread_mutex_lock(&s->lock);
  slot->used = false; /* synth_solo_submit reads the ids under lock */
  pthread_mutex_unlock(&s->lock);
  slot->tpl = *t;
  memset(t, 0, sizeof *t);
  struct synth__solo_job_spec spec = {s->script, s->script_len, s->tag, s->tag_len, NULL};
  char err[192];
  if (synth__solo_job_build(&slot->tpl, &spec, &slot->job, err, sizeof err) != 0) {
    synth__log_warn(&s->log, "node %s: template of height %u not mined: %s", s->url,
                    slot->tpl.height, err);
    synth__solo_template_free(&slot->tpl);
    return STEP_RETRY;
  }
  double build_ms = (double)(synth__now_ns() - t0 + parse_ns) * 1e-6;
  if (s->cfg.check_template) {
    enum step st = propose(s, &slot->job);
    if (st != STEP_OK) {
      synth__solo_template_free(&slot->tpl);
      return st;
    }
  }
  const struct solo_slot *cur = s->current >= 0 ? &s->slots[s->current] : NULL;
  bool clean = !cur || memcmp(cur->tpl.prev, slot->tpl.prev, 32) != 0;
  slot->job.job.clean = clean;
  slot->spent = false;
  uint64_t set_ns = synth__now_ns();
  int rc = synth_runtime_set_job(s->rt, &slot->job.job);
  if (rc != 0) {
    synth__log_warn(&s->log, "template of height %u refused: %s", slot->tpl.height,
                    synth_strerror(rc));
    synth__solo_template_free(&slot->tpl);
    return STEP_RETRY;
  }
  if (clean) {
    s->nsent = 0; /* hashes of the old tip's blocks cannot come again */
    s->switch_serial = synth_runtime_job_serial(s->rt);
    s->switch_news_ns = news_ns ? news_ns : set_ns;
    s->switch_source = source < SOLO_SOURCES ? (enum solo_source)source : SOLO_SOURCES;
  }
  s->current = (int)i;
  s->next_slot = (i + 1) % SOLO_SLOTS;
  solo_add(&s->templates, 1);
  pthread_mutex_lock(&s->lock);
  slot->used = true;
  snprintf(s->longpollid, sizeof s->longpollid, "%s",
           slot->tpl.longpollid ? slot->tpl.longpollid : "");
  s->template_gen++;
  pthread_cond_broadcast(&s->poll_wake);
  s->template_ns = news_ns ? news_ns : set_ns;
  s->text.height = slot->tpl.height;
  s->text.transactions = slot->tpl.ntx;
  s->text.coinbase_value = slot->tpl.coinbasevalue;
  s->text.template_build_ms = build_ms;
  s->text.difficulty = synth_target_to_difficulty(slot->tpl.target);
  snprintf(s->text.job_id, sizeof s->text.job_id, "%s", slot->job.job_id);
  snprintf(s->text.state, sizeof s->text.state, "mining");
  s->text.last_error[0] = 0;
  pthread_mutex_unlock(&s->lock);
  if (clean)
    synth__log_info(&s->log, "node %s: mining height %u, %zu transactions, job %s", s->url,
                    slot->tpl.height, slot->tpl.ntx, slot->job.job_id);
  return STEP_OK;
}

/* getblocktemplate, then install. */
static enum step fetch(struct synth_solo *s, uint64_t news_ns, int source)
{
  struct synth__rpc_answer a;
  json_t *params = solo_gbt_params(NULL);
  if (!params || call(s, "getblocktemplate", params, &a) != SYNTH__RPC_OK)
    return params ? call_failed(s, "getblocktemplate", &a) : STEP_RETRY;
  uint64_t t0 = synth__now_ns();
  struct synth__solo_template t;
  char err[192];
  int rc = synth__solo_template_parse(a.result, &t, err, sizeof err);
  json_decref(a.result);
  if (rc != 0) {
    a = (struct synth__rpc_answer){.status = SYNTH__RPC_MALFORMED};
    snprintf(a.message, sizeof a.message, "%s", err);
    return call_failed(s, "getblocktemplate", &a);
  }
  enum step st = install(s, &t, news_ns, source, synth__now_ns() - t0);
  synth__solo_template_free(&t);
  return st;
}

/* Counts a non-null BIP 22 answer under its words. */
static void count_result(struct synth_solo *s, const char *result)
{
  pthread_mutex_lock(&s->lock);
  struct synth_solo_stats *t = &s->text;
  snprintf(t->last_result, sizeof t->last_result, "%s", result);
  unsigned k = 0;
  while (k < t->result_kinds && strcmp(t->results[k].result, result) != 0)
    k++;
  if (k == t->result_kinds) {
    if (k == SYNTH_SOLO_RESULTS) {
      k = SYNTH_SOLO_RESULTS - 1;
      snprintf(t->results[k].result, sizeof t->results[k].result, "other");
    } else {
      snprintf(t->results[k].result, sizeof t->results[k].result, "%s", result);
      t->result_kinds++;
    }
  }
  t->results[k].count++;
  pthread_mutex_unlock(&s->lock);
}

/* The block is the node's now: every slot on its previous block is stale. */
static void accepted(struct synth_solo *s, const struct solo_slot *slot, const uint8_t hash[32])
{
  solo_add(&s->accepted, 1);
  char shown[65];
  hash_shown(hash, shown);
  uint8_t prev[32];
  memcpy(prev, slot->tpl.prev, 32);
  for (unsigned i = 0; i < SOLO_SLOTS; i++)
    if (s->slots[i].used && memcmp(s->slots[i].tpl.prev, prev, 32) == 0)
      s->slots[i].spent = true;
  pthread_mutex_lock(&s->lock);
  snprintf(s->text.last_result, sizeof s->text.last_result, "accepted");
  snprintf(s->text.last_block, sizeof s->text.last_block, "%s", shown);
  pthread_mutex_unlock(&s->lock);
  synth__log_info(&s->log, "node %s accepted block %s at height %u", s->url, shown,
                  slot->tpl.height);
}

/* submitblock, tried again only while nothing reached the node. Returns true when the node
 * took the block (the chain moved on: a new template is due). */
static bool send_block(struct synth_solo *s, const struct solo_slot *slot, const char *hex,
                       const uint8_t hash[32])
{
  struct synth__rpc_answer a;
  unsigned seed = (unsigned)synth__now_ns();
  for (unsigned tries = 1;; tries++) {
    /* not cut short by a stop: a found block is worth the wait (rpc_timeout_ms at most) */
    if (synth__rpc_call(&s->node, "submitblock", json_pack("[s]", hex), solo_id(s),
                        s->cfg.rpc_timeout_ms, NULL, &a) == SYNTH__RPC_OK)
      break;
    bool untouched = a.status == SYNTH__RPC_CONNECT || a.status == SYNTH__RPC_AUTH;
    call_failed(s, "submitblock", &a);
    if (!untouched || tries == 5 || a.status == SYNTH__RPC_STOPPED ||
        !solo_pause(s, solo_backoff_ms(s, tries, &seed)) || load_auth(s) != STEP_OK) {
      char shown[65];
      hash_shown(hash, shown);
      synth__log_error(&s->log, "block %s: submitblock got no answer from %s", shown, s->url);
      solo_add(&s->unanswered, 1);
      return false;
    }
  }
  bool took = false;
  if (json_is_null(a.result)) {
    accepted(s, slot, hash);
    took = true;
  } else {
    const char *r = json_is_string(a.result) ? json_string_value(a.result) : "(not BIP 22)";
    char shown[65];
    hash_shown(hash, shown);
    if (strncmp(r, "duplicate", 9) == 0) {
      solo_add(&s->duplicate_answers, 1);
    } else if (strcmp(r, "inconclusive") == 0) {
      solo_add(&s->inconclusive, 1);
    } else {
      solo_add(&s->rejected, 1);
    }
    synth__log_warn(&s->log, "node %s: block %s: %.64s", s->url, shown, r);
    count_result(s, r);
  }
  json_decref(a.result);
  return took;
}

/* One share: a block if its hash meets the template's target. Returns true when the node took
 * the block. */
static bool handle_share(struct synth_solo *s, const struct synth_share *sh)
{
  struct solo_slot *slot = NULL;
  for (unsigned i = 0; i < SOLO_SLOTS && !slot; i++)
    if (s->slots[i].used && strcmp(s->slots[i].job.job_id, sh->job_id) == 0)
      slot = &s->slots[i];
  if (!slot || !synth_hash_meets_target(sh->hash, slot->tpl.target)) {
    solo_add(&s->unsent, 1);
    return false;
  }
  if (slot->spent) {
    solo_add(&s->stale, 1);
    return false;
  }
  uint8_t header[80], hash[32], *block = NULL;
  size_t len = 0;
  if (synth__solo_job_block(&slot->job, sh->extranonce2, sh->ntime, sh->version, sh->nonce, header,
                            &block, &len) != 0) {
    synth__log_error(&s->log, "job %s: cannot build the block of a share", sh->job_id);
    solo_add(&s->unsent, 1);
    return false;
  }
  synth__sha256d(header, 80, hash);
  if (memcmp(hash, sh->hash, 32) != 0) {
    synth__log_error(&s->log, "job %s: the rebuilt block's header is not the share's", sh->job_id);
    free(block);
    solo_add(&s->unsent, 1);
    return false;
  }
  for (unsigned i = 0; i < s->nsent; i++) {
    if (memcmp(s->sent[i], hash, 32) == 0) {
      free(block);
      solo_add(&s->duplicates, 1);
      return false;
    }
  }
  memcpy(s->sent[s->nsent % SOLO_SENT_MAX], hash, 32);
  if (s->nsent < SOLO_SENT_MAX)
    s->nsent++;
  char *hex = to_hex(block, len);
  free(block);
  if (!hex) {
    solo_add(&s->unsent, 1);
    return false;
  }
  solo_add(&s->submitted, 1);
  bool took = send_block(s, slot, hex, hash);
  free(hex);
  return took;
}

/* Times a clean switch once every device hashes the new template. */
static void time_switch(struct synth_solo *s)
{
  uint64_t last;
  if (!s->switch_serial || !synth__switch_arrived(s->rt, s->ndevices, s->switch_serial, &last))
    return;
  if (last && s->switch_source < SOLO_SOURCES) {
    double ms = last > s->switch_news_ns ? (double)(last - s->switch_news_ns) * 1e-6 : 0;
    pthread_mutex_lock(&s->lock);
    uint64_t *n =
        s->switch_source == SOLO_FROM_ZMQ ? &s->text.switches_zmq : &s->text.switches_longpoll;
    s->switch_ms[s->switch_source][*n % SOLO_SAMPLES] = ms;
    (*n)++;
    pthread_mutex_unlock(&s->lock);
  }
  s->switch_serial = 0;
}

/* What woke the worker, taken under lock. */
struct wakeup {
  struct solo_queued share;
  bool have_share;
  struct synth__solo_template tpl;
  bool have_tpl;
  uint64_t tpl_ns;
  bool zmq;
  uint64_t zmq_ns;
};

static void wait_for_work(struct synth_solo *s, uint64_t refresh_at, struct wakeup *w)
{
  memset(w, 0, sizeof *w);
  pthread_mutex_lock(&s->lock);
  while (!atomic_load(&s->stopping) && !s->qlen && !s->have_incoming && !s->zmq_hint) {
    uint64_t now = synth__now_ns();
    if (now >= refresh_at)
      break;
    /* while a switch is timed, look at the devices every millisecond */
    uint64_t ms = s->switch_serial ? 1 : (refresh_at - now) / 1000000u + 1;
    struct timespec until = synth__deadline_ms((unsigned)(ms < 1000 ? ms : 1000));
    pthread_cond_timedwait(&s->wake, &s->lock, &until);
    if (s->switch_serial)
      break;
  }
  if (s->have_incoming) {
    w->tpl = s->incoming;
    w->tpl_ns = s->incoming_ns;
    w->have_tpl = true;
    memset(&s->incoming, 0, sizeof s->incoming);
    s->have_incoming = false;
  }
  if (s->zmq_hint) {
    w->zmq = true;
    w->zmq_ns = s->zmq_ns;
    s->zmq_hint = false;
  }
  if (s->qlen) {
    w->share = s->queue[s->qhead];
    w->share.share.job_id = w->share.job_id;
    w->have_share = true;
    s->qhead = (s->qhead + 1) % SOLO_QUEUE_MAX;
    s->qlen--;
  }
  pthread_mutex_unlock(&s->lock);
}

/* Stopping: the blocks still queued are sent, for rpc_timeout_ms at most. */
static void drain(struct synth_solo *s)
{
  uint64_t until = synth__now_ns() + (uint64_t)s->cfg.rpc_timeout_ms * 1000000u;
  while (s->current >= 0 && synth__now_ns() < until) {
    struct solo_queued q;
    pthread_mutex_lock(&s->lock);
    bool have = s->qlen > 0;
    if (have) {
      q = s->queue[s->qhead];
      s->qhead = (s->qhead + 1) % SOLO_QUEUE_MAX;
      s->qlen--;
    }
    pthread_mutex_unlock(&s->lock);
    if (!have)
      break;
    q.share.job_id = q.job_id;
    handle_share(s, &q.share);
  }
}

void *solo_worker_main(void *arg)
{
  struct synth_solo *s = arg;
  unsigned failures = 0, seed = (unsigned)synth__now_ns();
  bool ready = false, need = true;
  uint64_t refresh_at = 0, news_ns = 0;
  int source = SOLO_SOURCES;
  while (!atomic_load(&s->stopping)) {
    enum step st = STEP_OK;
    if (!ready)
      st = check_node(s);
    if (st == STEP_OK)
      ready = true;
    if (st == STEP_OK && (need || synth__now_ns() >= refresh_at)) {
      if ((st = fetch(s, news_ns, source)) == STEP_OK) {
        need = false;
        news_ns = 0;
        source = SOLO_SOURCES;
        refresh_at = synth__now_ns() + (uint64_t)s->cfg.refresh_ms * 1000000u;
      }
    }
    if (st == STEP_FATAL || st == STEP_STOPPED)
      break;
    if (st == STEP_RETRY) {
      ready = false;
      if (!solo_pause(s, solo_backoff_ms(s, ++failures, &seed)))
        break;
      continue;
    }
    failures = 0;
    time_switch(s);
    struct wakeup w;
    wait_for_work(s, refresh_at, &w);
    if (w.have_tpl) {
      solo_add(&s->longpolls, 1);
      if (install(s, &w.tpl, w.tpl_ns, SOLO_FROM_LONGPOLL, 0) == STEP_OK)
        refresh_at = synth__now_ns() + (uint64_t)s->cfg.refresh_ms * 1000000u;
      synth__solo_template_free(&w.tpl);
    }
    if (w.zmq) { /* a template is due; its news time is the message's */
      need = true;
      news_ns = w.zmq_ns;
      source = SOLO_FROM_ZMQ;
    }
    if (w.have_share && handle_share(s, &w.share.share))
      need = true; /* the node's tip is our block: the next template builds on it */
  }
  drain(s);
  return NULL;
}
