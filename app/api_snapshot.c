/* api_snapshot.c: one JSON picture of a running `synthminer run`, for the API and --json. */
#include "api_snapshot.h"

#include "solo_source.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double api_now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int api_state_init(struct api_state *s, synth_runtime *rt)
{
  memset(s, 0, sizeof *s);
  s->rt = rt;
  s->start_s = api_now_s();
  s->count = synth_runtime_device_count(rt);
  size_t n = s->count ? s->count : 1;
  s->accepted = calloc(n, sizeof *s->accepted);
  s->retired_accepted = calloc(n, sizeof *s->retired_accepted);
  s->retired_rejected = calloc(n, sizeof *s->retired_rejected);
  s->retired_stale = calloc(n, sizeof *s->retired_stale);
  if (!s->accepted || !s->retired_accepted || !s->retired_rejected || !s->retired_stale ||
      pthread_mutex_init(&s->lock, NULL) != 0) {
    free(s->accepted);
    free(s->retired_accepted);
    free(s->retired_rejected);
    free(s->retired_stale);
    s->accepted = NULL;
    return SYNTH_ENOMEM;
  }
  pthread_mutex_init(&s->client_lock, NULL);
  for (unsigned i = 0; i < s->count; i++)
    atomic_init(&s->accepted[i], 0);
  return 0;
}

void api_state_free(struct api_state *s)
{
  if (!s->accepted)
    return;
  pthread_mutex_destroy(&s->lock);
  pthread_mutex_destroy(&s->client_lock);
  free(s->accepted);
  free(s->retired_accepted);
  free(s->retired_rejected);
  free(s->retired_stale);
  s->accepted = NULL;
}

void api_state_count_share(struct api_state *s, unsigned device)
{
  /* Relaxed: a counter read for display, ordering nothing else. */
  if (device < s->count)
    atomic_fetch_add_explicit(&s->accepted[device], 1, memory_order_relaxed);
}

void api_state_set_job(struct api_state *s, const char *id, const char *source, double difficulty)
{
  pthread_mutex_lock(&s->lock);
  snprintf(s->job_id, sizeof s->job_id, "%s", id);
  snprintf(s->job_source, sizeof s->job_source, "%s", source);
  s->job_difficulty = difficulty;
  pthread_mutex_unlock(&s->lock);
}

/* A JSON string that is never NULL: bytes that are not UTF-8 (a driver's device name) become
 * '?', since jansson refuses the whole string otherwise. */
static json_t *text(const char *s)
{
  json_t *j = json_string(s);
  if (j)
    return j;
  char buf[256];
  size_t i = 0;
  for (; s[i] && i < sizeof buf - 1; i++)
    buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
  buf[i] = '\0';
  return json_string(buf);
}

static void put_real(json_t *o, const char *key, double v)
{
  json_object_set_new(o, key, json_real(isfinite(v) ? v : 0.0)); /* JSON has no NaN */
}

static void put_uint(json_t *o, const char *key, uint64_t v)
{
  json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* What the 10 s window says, or the EWMA before the window has filled. */
static double current_rate(const struct synth_device_stats *d)
{
  return d->hashrate_10s > 0 ? d->hashrate_10s : d->hashrate_ewma;
}

static json_t *latency_json(const struct synth_device_stats *d)
{
  json_t *o = json_object();
  put_real(o, "last", d->latency_ms);
  put_real(o, "p50", d->latency_p50_ms);
  put_real(o, "p95", d->latency_p95_ms);
  put_real(o, "target", d->target_latency_ms);
  return o;
}

/* What a device's sensors read and its limits do: a field it lacks is left out, so "sensors"
 * of a device without any is {"source": ""} and the duty. */
static json_t *sensors_json(const struct synth_device_stats *d)
{
  json_t *o = json_object();
  json_object_set_new(o, "source", text(d->sensor));
  if (d->sensed & SYNTH_SENSED_TEMP)
    put_real(o, "temperature_c", d->temp_c);
  if (d->sensed & SYNTH_SENSED_POWER)
    put_real(o, "power_w", d->power_w);
  if (d->sensed & SYNTH_SENSED_ENERGY)
    put_real(o, "energy_j", d->energy_j);
  if (d->sensed & SYNTH_SENSED_CLOCK)
    put_real(o, "clock_mhz", d->clock_mhz);
  if (d->sensed & SYNTH_SENSED_POWER_LIMIT)
    put_real(o, "power_limit_w", d->power_limit_w);
  if (d->joules_per_th > 0) {
    put_real(o, "joules_per_th", d->joules_per_th);
    put_real(o, "hashes_per_joule", d->hashes_per_joule);
  }
  if (d->sensed & SYNTH_SENSED_THROTTLE) {
    json_t *t = json_array();
    if (d->throttle & SYNTH_THROTTLE_POWER)
      json_array_append_new(t, json_string("power"));
    if (d->throttle & SYNTH_THROTTLE_THERMAL)
      json_array_append_new(t, json_string("thermal"));
    if (d->throttle & SYNTH_THROTTLE_OTHER)
      json_array_append_new(t, json_string("other"));
    json_object_set_new(o, "throttle", t);
  }
  put_real(o, "duty", d->duty);
  json_t *l = json_array();
  if (d->limited & SYNTH_LIMITED_TEMP)
    json_array_append_new(l, json_string("temperature"));
  if (d->limited & SYNTH_LIMITED_POWER)
    json_array_append_new(l, json_string("power"));
  if (d->limited & SYNTH_LIMITED_HOT)
    json_array_append_new(l, json_string("too hot"));
  json_object_set_new(o, "limited", l);
  /* 1 while anything slows it: its own throttling or one of our limits */
  put_uint(o, "throttled", (d->throttle || d->limited) ? 1 : 0);
  return o;
}

/* A device's shares as the pool answered them (or, on the benchmark, as delivered). */
struct shares {
  uint64_t accepted, rejected, stale;
};

/*
 * One device. The API's hashrate is the current one and latency_ms an object; the final
 * report keeps the meanings it always had (nonces / seconds, the last batch) and puts the
 * latency object under "latency".
 */
static json_t *device_json(const struct synth_device_stats *d, const struct shares *sh, bool final)
{
  json_t *o = json_object();
  json_object_set_new(o, "id", text(d->id));
  json_object_set_new(o, "kind", text(synth_device_kind_name(d->kind)));
  json_object_set_new(o, "name", text(d->name));
  json_object_set_new(o, "engine", text(d->engine));
  json_object_set_new(o, "state", text(synth_device_state_name(d->state)));
  put_real(o, "hashrate", final ? d->hashrate : current_rate(d));
  put_real(o, "hashrate_10s", d->hashrate_10s);
  put_real(o, "hashrate_60s", d->hashrate_60s);
  put_real(o, "hashrate_15m", d->hashrate_15m);
  put_real(o, "hashrate_ewma", d->hashrate_ewma);
  put_uint(o, "batch_size", d->batch_nonces);
  put_uint(o, "batch_max", d->batch_max_nonces);
  if (final) {
    put_uint(o, "batch_nonces", d->batch_nonces);
    put_real(o, "latency_ms", d->latency_ms);
    json_object_set_new(o, "latency", latency_json(d));
  } else {
    json_object_set_new(o, "latency_ms", latency_json(d));
  }
  put_real(o, "error_rate", d->error_rate);
  put_uint(o, "batches", d->batches);
  put_uint(o, "batch_errors", d->batch_errors);
  put_uint(o, "nonces", d->nonces);
  put_real(o, "seconds", d->seconds);
  put_uint(o, "shares", d->hits);
  put_uint(o, "shares_verified", d->hits_verified);
  put_uint(o, "accepted", sh->accepted);
  put_uint(o, "rejected", sh->rejected);
  put_uint(o, "stale", sh->stale);
  put_uint(o, "duplicates", d->duplicates);
  put_uint(o, "hw_errors", d->hw_errors);
  put_uint(o, "sick_count", d->sick_count);
  json_object_set_new(o, "health_reason", text(d->health_reason));
  json_object_set_new(o, "thread_at", text(d->thread_at));
  json_object_set_new(o, "sensors", sensors_json(d));
  return o;
}

/* Sums over the devices. */
struct totals {
  double rate, avg, r10, r60, r15m, ewma, seconds;
  uint64_t nonces, batches, batch_errors, shares, verified, accepted, rejected, stale, duplicates,
      hw;
  /* Devices with sensors: power now, energy, and the hashes that energy paid for. */
  double power_w, energy_j, energy_hashes;
  unsigned powered;
};

static void add_total(struct totals *t, const struct synth_device_stats *d, const struct shares *sh)
{
  t->rate += current_rate(d);
  t->avg += d->hashrate;
  t->r10 += d->hashrate_10s;
  t->r60 += d->hashrate_60s;
  t->r15m += d->hashrate_15m;
  t->ewma += d->hashrate_ewma;
  t->seconds = d->seconds > t->seconds ? d->seconds : t->seconds;
  t->nonces += d->nonces;
  t->batches += d->batches;
  t->batch_errors += d->batch_errors;
  t->shares += d->hits;
  t->verified += d->hits_verified;
  t->accepted += sh->accepted;
  t->rejected += sh->rejected;
  t->stale += sh->stale;
  t->duplicates += d->duplicates;
  t->hw += d->hw_errors;
  if (d->sensed & SYNTH_SENSED_POWER) {
    t->power_w += d->power_w;
    t->powered++;
  }
  if (d->joules_per_th > 0) {
    t->energy_j += d->energy_j;
    t->energy_hashes += d->energy_j / d->joules_per_th * 1e12;
  }
}

/* final: hashrate is the run's average (the report's meaning) rather than the current rate. */
static json_t *totals_json(const struct totals *t, unsigned devices, bool final)
{
  json_t *o = json_object();
  put_uint(o, "devices", devices);
  put_real(o, "hashrate", final ? t->avg : t->rate);
  put_real(o, "hashrate_10s", t->r10);
  put_real(o, "hashrate_60s", t->r60);
  put_real(o, "hashrate_15m", t->r15m);
  put_real(o, "hashrate_ewma", t->ewma);
  put_uint(o, "nonces", t->nonces);
  put_real(o, "seconds", t->seconds);
  put_uint(o, "batches", t->batches);
  put_uint(o, "batch_errors", t->batch_errors);
  put_uint(o, "shares", t->shares);
  put_uint(o, "shares_verified", t->verified);
  put_uint(o, "accepted", t->accepted);
  put_uint(o, "rejected", t->rejected);
  put_uint(o, "stale", t->stale);
  put_uint(o, "duplicates", t->duplicates);
  put_uint(o, "hw_errors", t->hw);
  /* Only the devices that read them: "power_devices" says how many that is. */
  put_uint(o, "power_devices", t->powered);
  if (t->powered)
    put_real(o, "power_w", t->power_w);
  if (t->energy_hashes > 0) {
    put_real(o, "energy_j", t->energy_j);
    put_real(o, "joules_per_th", t->energy_j / t->energy_hashes * 1e12);
  }
  return o;
}

static json_t *job_json(struct api_state *s)
{
  json_t *o = json_object();
  pthread_mutex_lock(&s->lock);
  json_object_set_new(o, "id", text(s->job_id));
  json_object_set_new(o, "source", text(s->job_source));
  put_real(o, "difficulty", s->job_difficulty);
  pthread_mutex_unlock(&s->lock);
  return o;
}

/* The clients reloads replaced, and their answers. */
static json_t *replaced_json(const struct api_state *s)
{
  json_t *r = json_object();
  put_uint(r, "clients", s->replaced.clients);
  put_uint(r, "found", s->replaced.found);
  put_uint(r, "accepted", s->replaced.accepted);
  put_uint(r, "rejected", s->replaced.rejected);
  put_uint(r, "stale", s->replaced.stale);
  put_uint(r, "unanswered", s->replaced.unanswered);
  put_uint(r, "kept", s->replaced.kept);
  return r;
}

/* The changes made while running, oldest first. */
static json_t *changes_json(struct api_state *s)
{
  json_t *a = json_array();
  pthread_mutex_lock(&s->lock);
  unsigned n = s->nchanges < API_CHANGES ? s->nchanges : API_CHANGES;
  for (unsigned k = 0; k < n; k++) {
    unsigned i = (s->nchanges - n + k) % API_CHANGES;
    json_t *c = json_object();
    put_real(c, "t_s", s->changes[i].t_s);
    json_object_set_new(c, "change", text(s->changes[i].what));
    json_array_append_new(a, c);
  }
  pthread_mutex_unlock(&s->lock);
  return a;
}

static json_t *pool_json(struct api_state *s, const struct totals *t)
{
  json_t *o = json_object();
  if (s->client) {
    struct synth_pool_stats ps;
    synth_pool_stats(s->client, &ps, sizeof ps);
    json_object_set_new(o, "url", ps.url[0] ? text(ps.url) : json_null());
    json_object_set_new(o, "user", text(ps.user));
    json_object_set_new(o, "state", text(ps.connected ? "connected" : "connecting"));
    json_object_set_new(o, "connection", text(ps.state)); /* the client's state machine */
    put_uint(o, "accepted", ps.accepted);
    put_uint(o, "rejected", ps.rejected);
    put_uint(o, "stale", ps.stale);
    put_uint(o, "submitted", ps.submitted);
    put_uint(o, "kept", ps.kept);
    put_uint(o, "reconnects", ps.reconnects);
    put_uint(o, "failovers", ps.failovers);
    put_uint(o, "jobs", ps.jobs);
    put_real(o, "difficulty", ps.difficulty);
    put_real(o, "accepted_difficulty", ps.accepted_difficulty);
    json_object_set_new(o, "last_reject", text(ps.last_reject));
    /* Where every share found went: found = accepted + rejected + stale + unsent. */
    put_uint(o, "found", ps.found);
    put_uint(o, "capped", ps.capped);
    put_uint(o, "dropped", ps.dropped);
    put_uint(o, "in_flight", ps.in_flight);
    put_uint(o, "unanswered", ps.unanswered);
    put_uint(o, "unsent",
             ps.duplicates + ps.capped + ps.dropped + ps.kept + ps.in_flight + ps.unanswered);
    put_uint(o, "connects", ps.connects);
    put_uint(o, "failed_attempts", ps.failed_attempts);
    json_t *reasons = json_object();
    for (unsigned i = 0; i < ps.reject_reasons && i < SYNTH_POOL_REASONS; i++)
      put_uint(reasons, ps.rejects[i].reason, ps.rejects[i].count);
    json_object_set_new(o, "rejects", reasons);
    json_t *sw = json_object();
    put_uint(sw, "count", ps.switches);
    put_real(sw, "p50_ms", ps.switch_p50_ms);
    put_real(sw, "p99_ms", ps.switch_p99_ms);
    put_real(sw, "max_ms", ps.switch_max_ms);
    json_object_set_new(o, "job_switch", sw);
    json_object_set_new(o, "role", text(ps.role));
    json_object_set_new(o, "replaced", replaced_json(s));
    return o;
  }
  if (s->solo) { /* solo: the node's verdicts on the blocks (the details under "solo") */
    struct synth_solo_stats ss;
    synth_solo_stats(s->solo, &ss, sizeof ss);
    json_object_set_new(o, "url", text(ss.url));
    json_object_set_new(o, "user", json_null());
    json_object_set_new(o, "state", text("solo"));
    put_uint(o, "accepted", ss.accepted);
    put_uint(o, "rejected", ss.rejected);
    put_uint(o, "stale", ss.stale);
    return o;
  }
  /* The benchmark job: no pool behind it. */
  json_object_set_new(o, "url", json_null());
  json_object_set_new(o, "user", json_null());
  json_object_set_new(o, "state", text("benchmark"));
  put_uint(o, "accepted", t->accepted);
  put_uint(o, "rejected", t->rejected);
  put_uint(o, "stale", t->stale);
  return o;
}

/* Reads every device into devices[] (an array it appends to) and sums them into t. */
static void collect(struct api_state *s, json_t *devices, struct totals *t, bool final)
{
  for (unsigned i = 0; i < s->count; i++) {
    struct synth_device_stats d;
    memset(&d, 0, sizeof d);
    if (synth_runtime_device_stats(s->rt, i, &d, sizeof d) != 0)
      continue;
    /* The benchmark job takes every share the runtime delivers: none is rejected. */
    struct shares sh = {atomic_load_explicit(&s->accepted[i], memory_order_relaxed), 0,
                        d.hits_stale};
    if (s->client || s->replaced.clients) {
      uint64_t stale = 0;
      sh.accepted = sh.rejected = 0;
      if (s->client)
        synth_pool_device_shares(s->client, i, &sh.accepted, &sh.rejected, &stale);
      /* with the answers of the clients a reload replaced */
      sh.accepted += s->retired_accepted[i];
      sh.rejected += s->retired_rejected[i];
      stale += s->retired_stale[i];
      sh.stale = d.hits_stale + stale; /* found stale here, and answered stale by the pool */
    }
    json_t *o = device_json(&d, &sh, final);
    json_array_append_new(devices, o);
    add_total(t, &d, &sh);
  }
}

/* A report's root with its version and every device's object collected into *devices (not
 * attached yet), the totals in *t; NULL when out of memory. */
static json_t *report_root(struct api_state *s, bool final, json_t **devices, struct totals *t)
{
  json_t *root = json_object();
  *devices = json_array();
  if (!root || !*devices) {
    json_decref(root);
    json_decref(*devices);
    return NULL;
  }
  collect(s, *devices, t, final);
  json_object_set_new(root, "version", text(synth_version_string()));
  return root;
}

json_t *api_snapshot(struct api_state *s)
{
  json_t *devices;
  struct totals t = {0};
  pthread_mutex_lock(&s->client_lock);
  json_t *root = report_root(s, false, &devices, &t);
  if (!root) {
    pthread_mutex_unlock(&s->client_lock);
    return NULL;
  }
  put_real(root, "uptime_s", api_now_s() - s->start_s);
  json_object_set_new(root, "devices", devices);
  json_object_set_new(root, "total", totals_json(&t, s->count, false));
  json_object_set_new(root, "job", job_json(s));
  json_object_set_new(root, "pool", pool_json(s, &t));
  if (s->solo)
    json_object_set_new(root, "solo", solo_source_json(s->solo));
  pthread_mutex_unlock(&s->client_lock);
  json_object_set_new(root, "changes", changes_json(s));
  return root;
}

json_t *api_snapshot_device(json_t *snapshot, const char *id)
{
  json_t *devices = json_object_get(snapshot, "devices"), *d;
  size_t i;
  json_array_foreach(devices, i, d)
  {
    const char *did = json_string_value(json_object_get(d, "id"));
    if (did && strcmp(did, id) == 0)
      return d;
  }
  return NULL;
}

json_t *api_final_report(struct api_state *s, double elapsed_s)
{
  json_t *devices;
  struct totals t = {0};
  pthread_mutex_lock(&s->client_lock);
  json_t *root = report_root(s, true, &devices, &t);
  if (!root) {
    pthread_mutex_unlock(&s->client_lock);
    return NULL;
  }
  json_t *job = job_json(s);
  json_object_set(root, "job", json_object_get(job, "source"));
  json_object_set(root, "job_id", json_object_get(job, "id"));
  json_object_set(root, "difficulty", json_object_get(job, "difficulty"));
  json_decref(job);
  put_real(root, "elapsed", elapsed_s);
  json_object_set_new(root, "devices", devices);
  json_object_set_new(root, "totals", totals_json(&t, s->count, true));
  json_object_set_new(root, "pool", pool_json(s, &t));
  if (s->solo)
    json_object_set_new(root, "solo", solo_source_json(s->solo));
  pthread_mutex_unlock(&s->client_lock);
  json_object_set_new(root, "changes", changes_json(s));
  return root;
}
