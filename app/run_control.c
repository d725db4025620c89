/* run_control.c: reloading a running `synthminer run` and its control API's requests. */
#include "run_control.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_snapshot.h"
#include "cli.h"
#include "text_clean.h"

int control_init(struct run_control *c, synth_runtime *rt, struct api_state *api,
                 struct pool_source *source, const struct run_settings *settings,
                 struct cli_log *log)
{
  c->rt = rt;
  c->api = api;
  c->settings = *settings;
  if (pthread_mutex_init(&c->lock, NULL) != 0)
    return -1;
  if (handover_init(&c->source, source, log) != 0) {
    pthread_mutex_destroy(&c->lock);
    return -1;
  }
  return 0;
}

void control_free(struct run_control *c)
{
  handover_free(&c->source, c->api);
  pthread_mutex_destroy(&c->lock);
}

/* One line into msg, without the "synthminer run: " a printed line starts with. */
__attribute__((format(printf, 3, 4))) static void say(char *msg, size_t size, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, size, fmt, ap);
  va_end(ap);
}

static const char *said_reason(void)
{
  const char *s = cli_said();
  const char *prefix = "synthminer run: ";
  return strncmp(s, prefix, strlen(prefix)) == 0 ? s + strlen(prefix) : s;
}

/* The settings' power limit with the API's per-device ones after it (an id wins over a kind,
 * and a later item over an earlier one). */
static void power_spec(const struct run_control *c, char *buf, size_t size)
{
  size_t n = (size_t)snprintf(buf, size, "%s", c->settings.power_limit);
  for (unsigned i = 0; i < c->npower && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%s%s=%g", n ? "," : "", c->power[i].id,
                          c->power[i].watts);
}

static int set_limits(struct run_control *c)
{
  char spec[sizeof c->settings.power_limit + CONTROL_OVERRIDES * 48];
  power_spec(c, spec, sizeof spec);
  return synth_runtime_set_limits(c->rt, c->settings.temp_limit, c->settings.temp_abort,
                                  spec[0] ? spec : NULL);
}

/* ---- reload ---- */

static int refuse(struct run_control *c, const char *cause, char *msg, size_t size,
                  const char *reason)
{
  say(msg, size, "reload refused, the running config stays: %s", reason);
  api_state_note(c->api, "reload (%s) refused, the running config stays: %s", cause, reason);
  return CLI_EXIT_USAGE;
}

static int reload_locked(struct run_control *c, const char *cause, char *msg, size_t size)
{
  if (!c->config)
    return refuse(c, cause, msg, size, "no --config file to read");
  cli_said_clear();
  struct run_settings rs;
  if (run_settings_load(&rs, c->setting_flags, c->config) != 0)
    return refuse(c, cause, msg, size, said_reason());
  struct pool_source next;
  if (pool_source_load(&next, c->pool_flags) != 0) {
    pool_source_free(&next);
    return refuse(c, cause, msg, size, said_reason());
  }
  bool change = handover_differs(&c->source, &next);
  if (change && (next.solo.on || c->source.cur.solo.on)) {
    pool_source_free(&next);
    return refuse(c, cause, msg, size,
                  "mining from a node: moving to or from it, or changing its settings, needs a "
                  "restart");
  }
  struct run_settings was = c->settings;
  unsigned was_npower = c->npower;
  c->settings = rs;
  c->npower = 0; /* the config's limits, not the API's */
  if (set_limits(c) != 0) {
    c->settings = was;
    c->npower = was_npower;
    pool_source_free(&next);
    char why[400];
    snprintf(why, sizeof why, "its limits are refused: %s", synth_last_error());
    return refuse(c, cause, msg, size, why);
  }
  char url[SYNTH_POOL_URL_MAX + 1] = "";
  if (change) {
    text_clean(url, sizeof url, next.count ? next.urls[0] : "", false);
    cli_said_clear();
    if (handover_begin(&c->source, &next, c->rt) != 0) {
      c->settings = was;
      c->npower = was_npower;
      set_limits(c);
      char why[400];
      snprintf(why, sizeof why, "its pools cannot be used: %s",
               cli_said()[0] ? said_reason() : "see the log");
      return refuse(c, cause, msg, size, why);
    }
  } else {
    pool_source_free(&next);
  }
  run_settings_apply(&rs, c->rt); /* the target latencies (the limits are in already) */
  if (!change)
    say(msg, size, "config reloaded: pools unchanged");
  else if (url[0])
    say(msg, size, "config reloaded: moving to %s once it has sent a job", url);
  else
    say(msg, size, "config reloaded: moving to the benchmark job");
  api_state_note(c->api, "%s (%s)", msg, cause);
  return 0;
}

int control_reload(struct run_control *c, const char *cause, char *msg, size_t size)
{
  pthread_mutex_lock(&c->lock);
  int rc = reload_locked(c, cause, msg, size);
  pthread_mutex_unlock(&c->lock);
  return rc;
}

/* ---- requests ---- */

/* The index of the device with this id, or -1. */
static int device_index(struct run_control *c, const char *id, size_t len)
{
  for (unsigned i = 0; i < synth_runtime_device_count(c->rt); i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(c->rt, i, &st, sizeof st) == 0 && strlen(st.id) == len &&
        strncmp(st.id, id, len) == 0)
      return (int)i;
  }
  return -1;
}

/* body's number field, within [lo, hi]. */
static bool number_field(json_t *body, const char *name, double lo, double hi, double *out)
{
  json_t *v = json_object_get(body, name);
  if (!json_is_number(v))
    return false;
  *out = json_number_value(v);
  return isfinite(*out) && *out >= lo && *out <= hi;
}

static unsigned pause_all(struct run_control *c, bool pause, char *msg, size_t size)
{
  synth_runtime_set_paused(c->rt, SYNTH_ALL_DEVICES, pause);
  say(msg, size, "every device %s", pause ? "paused" : "resumed");
  api_state_note(c->api, "%s (API)", msg);
  return 200;
}

static unsigned set_power(struct run_control *c, const char *id, double watts, char *msg,
                          size_t size)
{
  unsigned was = c->npower, k = 0;
  for (unsigned i = 0; i < c->npower; i++) /* the device's earlier one goes */
    if (strcmp(c->power[i].id, id) != 0)
      c->power[k++] = c->power[i];
  c->npower = k;
  if (watts > 0) {
    if (c->npower == CONTROL_OVERRIDES) {
      c->npower = was;
      say(msg, size, "too many power limits set through the API (%d)", CONTROL_OVERRIDES);
      return 409;
    }
    snprintf(c->power[c->npower].id, sizeof c->power[0].id, "%s", id);
    c->power[c->npower++].watts = watts;
  }
  if (set_limits(c) != 0) {
    say(msg, size, "power limit refused: %s", synth_last_error());
    return 400;
  }
  if (watts > 0)
    say(msg, size, "%s: power limit %g W", id, watts);
  else
    say(msg, size, "%s: power limit back to the config's", id);
  api_state_note(c->api, "%s (API)", msg);
  return 200;
}

static unsigned device_request(struct run_control *c, const char *rest, json_t *body, char *msg,
                               size_t size)
{
  const char *slash = strchr(rest, '/');
  if (!slash) {
    say(msg, size, "not found");
    return 404;
  }
  int index = device_index(c, rest, (size_t)(slash - rest));
  if (index < 0) {
    say(msg, size, "no such device: %.*s", (int)(slash - rest) > 40 ? 40 : (int)(slash - rest),
        rest);
    return 404;
  }
  char id[32];
  snprintf(id, sizeof id, "%.*s", (int)(slash - rest), rest);
  const char *what = slash + 1;
  double v;
  if (strcmp(what, "pause") == 0 || strcmp(what, "resume") == 0) {
    bool pause = what[0] == 'p';
    synth_runtime_set_paused(c->rt, (unsigned)index, pause);
    say(msg, size, "%s %s", id, pause ? "paused" : "resumed");
    api_state_note(c->api, "%s (API)", msg);
    return 200;
  }
  if (strcmp(what, "target-latency") == 0) {
    if (!number_field(body, "ms", 0, 60000, &v) || (v > 0 && v < 0.1)) {
      say(msg, size, "expected {\"ms\": N}: milliseconds from 0.1 to 60000, or 0 for the default");
      return 400;
    }
    synth_runtime_set_target_latency(c->rt, (unsigned)index, v);
    struct synth_device_stats st;
    synth_runtime_device_stats(c->rt, (unsigned)index, &st, sizeof st);
    say(msg, size, "%s: target latency %g ms", id, st.target_latency_ms);
    api_state_note(c->api, "%s (API)", msg);
    return 200;
  }
  if (strcmp(what, "power-limit") == 0) {
    if (!number_field(body, "watts", 0, 100000, &v)) {
      say(msg, size, "expected {\"watts\": N}: above 0 up to 100000, or 0 for the config's");
      return 400;
    }
    return set_power(c, id, v, msg, size);
  }
  say(msg, size, "not found");
  return 404;
}

static unsigned switch_pool(struct run_control *c, json_t *body, char *msg, size_t size)
{
  struct pool_source *cur = &c->source.cur;
  if (!cur->pool) {
    say(msg, size, "not mining for a Stratum pool: nothing to switch");
    return 409;
  }
  double v;
  if (!number_field(body, "pool", 0, cur->count - 1, &v) || v != floor(v)) {
    say(msg, size, "expected {\"pool\": N}: the index of a configured pool, 0 to %u",
        cur->count - 1);
    return 400;
  }
  struct pool_source next;
  if (pool_source_copy_from(&next, cur, (unsigned)v) != 0) {
    pool_source_free(&next);
    say(msg, size, "out of memory");
    return 409;
  }
  char url[SYNTH_POOL_URL_MAX + 1];
  text_clean(url, sizeof url, next.urls[0], false);
  if (handover_begin(&c->source, &next, c->rt) != 0) {
    say(msg, size, "cannot start a client for %s", url);
    return 409;
  }
  say(msg, size, "switching to pool %u, %s, once it has sent a job", (unsigned)v, url);
  api_state_note(c->api, "%s (API)", msg);
  return 200;
}

static unsigned request_locked(struct run_control *c, const char *path, json_t *body, char *msg,
                               size_t size)
{
  if (strcmp(path, "reload") == 0)
    return reload_locked(c, "API", msg, size) == 0 ? 200 : 409;
  if (strcmp(path, "pause") == 0 || strcmp(path, "resume") == 0)
    return pause_all(c, path[0] == 'p', msg, size);
  if (strncmp(path, "devices/", 8) == 0)
    return device_request(c, path + 8, body, msg, size);
  if (strcmp(path, "pool/switch") == 0)
    return switch_pool(c, body, msg, size);
  say(msg, size, "not found");
  return 404;
}

unsigned control_request(struct run_control *c, const char *path, json_t *body, char *msg,
                         size_t size)
{
  pthread_mutex_lock(&c->lock);
  unsigned status = request_locked(c, path, body, msg, size);
  pthread_mutex_unlock(&c->lock);
  return status;
}

/* ---- the main loop's turn ---- */

int control_tick(struct run_control *c, double now)
{
  pthread_mutex_lock(&c->lock);
  if (handover_tick(&c->source, c->api, now)) {
    bool bench = c->source.cur.count == 0;
    if (bench && !c->bench_on)
      bench_source_init(&c->bench, c->bench_difficulty, c->rt);
    c->bench_on = bench;
  }
  int rc = 0;
  if (c->bench_on) {
    unsigned issued = c->bench.issued;
    if (bench_source_tick(&c->bench, c->rt, now) != 0)
      fprintf(stderr, "synthminer run: cannot renew the benchmark job\n");
    if (c->bench.issued != issued)
      api_state_set_job(c->api, c->bench.job_id, "benchmark", c->bench.difficulty);
  } else {
    rc = pool_source_tick(&c->source.cur, c->api);
  }
  pthread_mutex_unlock(&c->lock);
  return rc;
}
