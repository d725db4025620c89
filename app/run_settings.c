/* run_settings.c: what `run` tunes besides the pools, from the flags over the config file. */
#include "run_settings.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "latency_spec.h"

static const char *const keys[] = {"target_latency", "temp_limit", "temp_abort", "power_limit"};

bool run_settings_key(const char *key)
{
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (strcmp(key, keys[i]) == 0)
      return true;
  return false;
}

/* A string key, or a number written as one ("50", "350"): into buf. Returns 0 when absent or
 * read, -1 when it is of another type. */
static int text_or_number(json_t *root, const char *key, char *buf, size_t size)
{
  json_t *v = json_object_get(root, key);
  if (!v)
    return 0;
  if (json_is_string(v))
    snprintf(buf, size, "%s", json_string_value(v));
  else if (json_is_number(v))
    snprintf(buf, size, "%.17g", json_number_value(v));
  else
    return -1;
  return 0;
}

static int degrees(json_t *root, const char *key, const char *path, double *out)
{
  json_t *v = json_object_get(root, key);
  if (!v)
    return 0;
  double d = json_number_value(v);
  if (!json_is_number(v) || !isfinite(d) || d < 1 || d > 150) {
    cli_say("synthminer run: --config %s: \"%s\": expected a number of degrees C from 1 to 150\n",
            path, key);
    return 2;
  }
  *out = d;
  return 0;
}

/* The config's keys into rs (flags not applied yet). */
static int from_config(struct run_settings *rs, const char *path, char *latency, size_t lsize)
{
  json_error_t e;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
  if (!root) { /* pool_source_load says what is wrong with it */
    cli_say("synthminer run: --config %s: line %d: %.160s\n", path, e.line, e.text);
    return 2;
  }
  int rc = 0;
  if (!json_is_object(root)) {
    json_decref(root);
    return 0; /* refused, with its reason, by pool_source_load */
  }
  if (text_or_number(root, "target_latency", latency, lsize) != 0 ||
      text_or_number(root, "power_limit", rs->power_limit, sizeof rs->power_limit) != 0) {
    cli_say("synthminer run: --config %s: \"target_latency\" and \"power_limit\" are strings "
            "(or numbers)\n",
            path);
    rc = 2;
  }
  if (rc == 0)
    rc = degrees(root, "temp_limit", path, &rs->temp_limit);
  if (rc == 0)
    rc = degrees(root, "temp_abort", path, &rs->temp_abort);
  json_decref(root);
  return rc;
}

int run_settings_load(struct run_settings *rs, const struct run_setting_flags *f, const char *path)
{
  memset(rs, 0, sizeof *rs);
  char latency[128] = "";
  int rc = path ? from_config(rs, path, latency, sizeof latency) : 0;
  if (rc != 0)
    return rc;
  if (f->target_latency)
    snprintf(latency, sizeof latency, "%s", f->target_latency);
  if (latency[0] &&
      (rc = latency_spec_parse("run", latency, &rs->cpu_latency_ms, &rs->gpu_latency_ms)) != 0)
    return rc;
  if (f->temp_limit > 0)
    rs->temp_limit = f->temp_limit;
  if (f->temp_abort > 0)
    rs->temp_abort = f->temp_abort;
  if (f->power_limit)
    snprintf(rs->power_limit, sizeof rs->power_limit, "%s", f->power_limit);
  return 0;
}

int run_settings_apply(const struct run_settings *rs, synth_runtime *rt)
{
  int rc = synth_runtime_set_limits(rt, rs->temp_limit, rs->temp_abort,
                                    rs->power_limit[0] ? rs->power_limit : NULL);
  if (rc != 0) {
    cli_say("synthminer run: the limits (temp_limit %g, temp_abort %g, power_limit \"%s\") are "
            "refused: %s\n",
            rs->temp_limit, rs->temp_abort, rs->power_limit, synth_last_error());
    return 2;
  }
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(rt, i, &st, sizeof st) == 0)
      synth_runtime_set_target_latency(
          rt, i, st.kind == SYNTH_DEVICE_CPU ? rs->cpu_latency_ms : rs->gpu_latency_ms);
  }
  return 0;
}
