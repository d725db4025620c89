/* api_metrics.c: a snapshot in the Prometheus text exposition format (version 0.0.4). */
#include "api_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synth/synth.h>

/* One sample per device of a family: the JSON field it reads (key, or key.sub), the value of
 * the family's extra label, and a factor (milliseconds to seconds). */
struct series {
  const char *label_value; /* NULL: the family has no extra label */
  const char *key;
  const char *sub;
  double scale;
};

struct family {
  const char *name, *type, *help;
  const char *label_name; /* the extra label's name, or NULL */
  struct series series[4];
};

/* clang-format off */
static const struct family device_families[] = {
  {"synthminer_device_hashrate_hashes_per_second", "gauge",
   "Hashes per second over a window (ewma: exponentially weighted, 5 s time constant).",
   "window", {{"10s", "hashrate_10s", NULL, 1}, {"60s", "hashrate_60s", NULL, 1},
              {"15m", "hashrate_15m", NULL, 1}, {"ewma", "hashrate_ewma", NULL, 1}}},
  {"synthminer_device_batch_nonces", "gauge", "Nonces the tuner gives each batch now.",
   NULL, {{NULL, "batch_size", NULL, 1}}},
  {"synthminer_device_batch_max_nonces", "gauge", "Upper clamp of the batch size.",
   NULL, {{NULL, "batch_max", NULL, 1}}},
  {"synthminer_device_latency_seconds", "gauge",
   "Device time per batch over the recent batches, by percentile.",
   /* Not "quantile": that label is a summary's, and this gauge has no _sum or _count. */
   "percentile", {{"50", "latency_ms", "p50", 1e-3}, {"95", "latency_ms", "p95", 1e-3}}},
  {"synthminer_device_last_latency_seconds", "gauge", "Device time of the last batch.",
   NULL, {{NULL, "latency_ms", "last", 1e-3}}},
  {"synthminer_device_target_latency_seconds", "gauge", "What the tuner aims each batch at.",
   NULL, {{NULL, "latency_ms", "target", 1e-3}}},
  {"synthminer_device_error_ratio", "gauge", "Share of the recent batches that failed.",
   NULL, {{NULL, "error_rate", NULL, 1}}},
  {"synthminer_device_nonces_total", "counter", "Nonces hashed.",
   NULL, {{NULL, "nonces", NULL, 1}}},
  {"synthminer_device_batches_total", "counter", "Batches done.",
   NULL, {{NULL, "batches", NULL, 1}}},
  {"synthminer_device_batch_errors_total", "counter", "Batches the device failed.",
   NULL, {{NULL, "batch_errors", NULL, 1}}},
  {"synthminer_device_shares_total", "counter", "Shares found, by result.",
   "result", {{"accepted", "accepted", NULL, 1}, {"rejected", "rejected", NULL, 1},
              {"stale", "stale", NULL, 1}}},
  {"synthminer_device_hw_errors_total", "counter",
   "Hits whose CPU re-hash did not meet the target.", NULL, {{NULL, "hw_errors", NULL, 1}}},
  {"synthminer_device_sick_total", "counter", "Times the device was found sick.",
   NULL, {{NULL, "sick_count", NULL, 1}}},
  {"synthminer_device_temperature_celsius", "gauge", "The hottest of the device's temperatures.",
   NULL, {{NULL, "sensors", "temperature_c", 1}}},
  {"synthminer_device_power_watts", "gauge",
   "Power draw (a CPU worker: its share of the package's).",
   NULL, {{NULL, "sensors", "power_w", 1}}},
  {"synthminer_device_energy_joules_total", "counter",
   "Energy since the sensors were first read (a CPU worker: its share).",
   NULL, {{NULL, "sensors", "energy_j", 1}}},
  {"synthminer_device_joules_per_terahash", "gauge",
   "Energy per 10^12 hashes since the sensors were first read.",
   NULL, {{NULL, "sensors", "joules_per_th", 1}}},
  {"synthminer_device_duty_ratio", "gauge",
   "Share of time the temperature and power limits let the device hash.",
   NULL, {{NULL, "sensors", "duty", 1}}},
  {"synthminer_device_throttled", "gauge",
   "1 while the device slows itself down or a limit holds it, else 0.",
   NULL, {{NULL, "sensors", "throttled", 1}}},
};
/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *name, const char *value)
{
  fprintf(f, "%s=\"", name);
  for (const char *p = value; *p; p++) {
    if (*p == '\\' || *p == '"')
      fputc('\\', f);
    if (*p == '\n')
      fputs("\\n", f);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void put_value(FILE *f, json_t *v, double scale)
{
  if (json_is_integer(v) && scale == 1)
    fprintf(f, " %" JSON_INTEGER_FORMAT "\n", json_integer_value(v));
  else
    fprintf(f, " %.10g\n", json_number_value(v) * scale);
}

static void put_family_head(FILE *f, const char *name, const char *type, const char *help)
{
  fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels every device sample starts with. */
static void put_device_labels(FILE *f, json_t *dev)
{
  const char *id = json_string_value(json_object_get(dev, "id"));
  const char *kind = json_string_value(json_object_get(dev, "kind"));
  put_label(f, "device", id ? id : "");
  fputc(',', f);
  put_label(f, "kind", kind ? kind : "");
}

static void put_device_family(FILE *f, const struct family *fam, json_t *devices)
{
  put_family_head(f, fam->name, fam->type, fam->help);
  size_t i;
  json_t *dev;
  json_array_foreach(devices, i, dev)
  {
    for (size_t s = 0; s < COUNT(fam->series) && fam->series[s].key; s++) {
      const struct series *se = &fam->series[s];
      json_t *v = json_object_get(dev, se->key);
      if (se->sub)
        v = json_object_get(v, se->sub);
      if (!json_is_number(v))
        continue;
      fprintf(f, "%s{", fam->name);
      put_device_labels(f, dev);
      if (fam->label_name) {
        fputc(',', f);
        put_label(f, fam->label_name, se->label_value);
      }
      fputc('}', f);
      put_value(f, v, se->scale);
    }
  }
}

/* One sample per device and state, 1 for the state it is in: queries need no string match. */
static void put_states(FILE *f, json_t *devices)
{
  put_family_head(f, "synthminer_device_state", "gauge",
                  "1 for the state the device is in, 0 for the others.");
  size_t i;
  json_t *dev;
  json_array_foreach(devices, i, dev)
  {
    const char *now = json_string_value(json_object_get(dev, "state"));
    /* The states are numbered from 0; the first name the library does not know ends them. */
    for (int k = 0; k < 32; k++) {
      const char *name = synth_device_state_name((enum synth_device_state)k);
      if (strcmp(name, "unknown") == 0)
        break;
      fputs("synthminer_device_state{", f);
      put_device_labels(f, dev);
      fputc(',', f);
      put_label(f, "state", name);
      fprintf(f, "} %d\n", now && strcmp(now, name) == 0);
    }
  }
}

static void put_globals(FILE *f, json_t *snap)
{
  put_family_head(f, "synthminer_up", "gauge", "1 while the instance serves this endpoint.");
  fputs("synthminer_up 1\n", f);
  put_family_head(f, "synthminer_info", "gauge", "The instance's version, as a label.");
  fputs("synthminer_info{", f);
  const char *version = json_string_value(json_object_get(snap, "version"));
  put_label(f, "version", version ? version : "");
  fputs("} 1\n", f);
  put_family_head(f, "synthminer_uptime_seconds", "gauge", "Seconds since hashing started.");
  fputs("synthminer_uptime_seconds", f);
  put_value(f, json_object_get(snap, "uptime_s"), 1);
  put_family_head(f, "synthminer_devices", "gauge", "Devices the instance drives.");
  fprintf(f, "synthminer_devices %zu\n", json_array_size(json_object_get(snap, "devices")));
  put_family_head(f, "synthminer_job_difficulty", "gauge", "Share difficulty of the job.");
  fputs("synthminer_job_difficulty", f);
  put_value(f, json_object_get(json_object_get(snap, "job"), "difficulty"), 1);
}

/* The pool client's share ledger and connection figures, when mining for a pool. */
static void put_pool(FILE *f, json_t *pool)
{
  if (!json_is_string(json_object_get(pool, "url")) || !json_object_get(pool, "found"))
    return; /* the benchmark job */
  static const char *const outcomes[] = {"accepted",   "rejected",   "stale",
                                         "duplicates", "capped",     "dropped",
                                         "in_flight",  "unanswered", "kept"};
  put_family_head(f, "synthminer_pool_shares_total", "counter",
                  "Shares found, by where they went (found = the sum, kept included).");
  for (size_t i = 0; i < COUNT(outcomes); i++) {
    fputs("synthminer_pool_shares_total{", f);
    put_label(f, "outcome", outcomes[i]);
    fputc('}', f);
    put_value(f, json_object_get(pool, outcomes[i]), 1);
  }
  put_family_head(f, "synthminer_pool_rejects_total", "counter", "Rejected shares by reason.");
  const char *reason;
  json_t *count;
  json_object_foreach(json_object_get(pool, "rejects"), reason, count)
  {
    fputs("synthminer_pool_rejects_total{", f);
    put_label(f, "reason", reason);
    fputc('}', f);
    put_value(f, count, 1);
  }
  put_family_head(f, "synthminer_pool_connects_total", "counter",
                  "Connection attempts to the pools, and those that failed.");
  fputs("synthminer_pool_connects_total{result=\"all\"}", f);
  put_value(f, json_object_get(pool, "connects"), 1);
  fputs("synthminer_pool_connects_total{result=\"failed\"}", f);
  put_value(f, json_object_get(pool, "failed_attempts"), 1);
  const char *state = json_string_value(json_object_get(pool, "state"));
  put_family_head(f, "synthminer_pool_connected", "gauge", "1 while a pool session is up.");
  fprintf(f, "synthminer_pool_connected %d\n", state && strcmp(state, "connected") == 0);
}

char *api_metrics_render(json_t *snapshot, size_t *len)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  if (!f)
    return NULL;
  put_globals(f, snapshot);
  json_t *devices = json_object_get(snapshot, "devices");
  for (size_t i = 0; i < COUNT(device_families); i++)
    put_device_family(f, &device_families[i], devices);
  put_states(f, devices);
  put_pool(f, json_object_get(snapshot, "pool"));
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  *len = size;
  return buf;
}
