/* report.c: the run's status line, final table and JSON summary. */
#include "report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int report_collect(synth_runtime *rt, struct report *r)
{
  memset(r, 0, sizeof *r);
  r->count = synth_runtime_device_count(rt);
  r->devices = calloc(r->count ? r->count : 1, sizeof *r->devices);
  if (!r->devices)
    return SYNTH_ENOMEM;
  struct synth_device_stats *t = &r->total;
  snprintf(t->id, sizeof t->id, "total");
  for (unsigned i = 0; i < r->count; i++) {
    struct synth_device_stats *d = &r->devices[i];
    synth_runtime_device_stats(rt, i, d, sizeof *d);
    t->nonces += d->nonces;
    t->batches += d->batches;
    t->hits += d->hits;
    t->hits_verified += d->hits_verified;
    t->hw_errors += d->hw_errors;
    t->hits_stale += d->hits_stale;
    t->duplicates += d->duplicates;
    t->hashrate += d->hashrate;
    t->hashrate_ewma += d->hashrate_ewma;
    t->hashrate_window += d->hashrate_window;
    if (d->seconds > t->seconds)
      t->seconds = d->seconds;
    /* energy and power of the devices that read them; the hashes that energy paid for */
    if (d->sensed & SYNTH_SENSED_POWER)
      t->power_w += d->power_w;
    if (d->joules_per_th > 0) {
      t->energy_j += d->energy_j;
      r->energy_hashes += d->energy_j / d->joules_per_th * 1e12;
      r->energy_devices++;
    }
    t->sensed |= d->sensed;
  }
  if (r->energy_hashes > 0)
    t->joules_per_th = t->energy_j / r->energy_hashes * 1e12;
  return 0;
}

void report_free(struct report *r)
{
  free(r->devices);
  memset(r, 0, sizeof *r);
}

const char *report_rate(double hps, char *buf, size_t size)
{
  static const char *const units[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s"};
  int u = 0;
  while (hps >= 1000.0 && u < 4) {
    hps /= 1000.0;
    u++;
  }
  snprintf(buf, size, "%.2f %s", hps, units[u]);
  return buf;
}

void report_status(const struct report *r, double elapsed_s)
{
  char rate[32];
  const struct synth_device_stats *t = &r->total;
  /* The window rate settles after two snapshots; before that the EWMA is the best guess. */
  double hps = t->hashrate_window > 0 ? t->hashrate_window : t->hashrate_ewma;
  fprintf(stderr,
          "[%6.0fs] %s on %u device%s | shares %llu, verified %llu, stale %llu | "
          "hw errors %llu\n",
          elapsed_s, report_rate(hps, rate, sizeof rate), r->count, r->count == 1 ? "" : "s",
          (unsigned long long)t->hits, (unsigned long long)t->hits_verified,
          (unsigned long long)t->hits_stale, (unsigned long long)t->hw_errors);
}

static void table_row(FILE *out, const struct synth_device_stats *d, const char *kind)
{
  char rate[32];
  fprintf(out, "%-8s %-6s %-30.30s %-19.19s %12s %14llu %7llu %9llu %6llu\n", d->id, kind, d->name,
          d->engine, report_rate(d->hashrate, rate, sizeof rate), (unsigned long long)d->nonces,
          (unsigned long long)d->hits, (unsigned long long)d->hits_verified,
          (unsigned long long)d->hw_errors);
}

void report_table(const struct report *r, FILE *out)
{
  fprintf(out, "%-8s %-6s %-30s %-19s %12s %14s %7s %9s %6s\n", "DEVICE", "KIND", "NAME", "ENGINE",
          "HASHRATE", "NONCES", "SHARES", "VERIFIED", "HWERR");
  for (unsigned i = 0; i < r->count; i++)
    table_row(out, &r->devices[i], synth_device_kind_name(r->devices[i].kind));
  table_row(out, &r->total, "");
  const struct synth_device_stats *t = &r->total;
  if (t->joules_per_th > 0) /* only where sensors gave energy: say over how many devices */
    fprintf(out,
            "energy %.1f J on %u device%s with sensors: %.1f J/TH, %.3g H/J; power now %.1f W\n",
            t->energy_j, r->energy_devices, r->energy_devices == 1 ? "" : "s", t->joules_per_th,
            1e12 / t->joules_per_th, t->power_w);
}

static json_t *device_json(const struct synth_device_stats *d, bool with_identity)
{
  json_t *o = json_object();
  if (with_identity) {
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "kind", json_string(synth_device_kind_name(d->kind)));
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "engine", json_string(d->engine));
  }
  json_object_set_new(o, "nonces", json_integer((json_int_t)d->nonces));
  json_object_set_new(o, "seconds", json_real(d->seconds));
  json_object_set_new(o, "hashrate", json_real(d->hashrate));
  json_object_set_new(o, "hashrate_ewma", json_real(d->hashrate_ewma));
  json_object_set_new(o, "shares", json_integer((json_int_t)d->hits));
  json_object_set_new(o, "shares_verified", json_integer((json_int_t)d->hits_verified));
  json_object_set_new(o, "hw_errors", json_integer((json_int_t)d->hw_errors));
  json_object_set_new(o, "stale", json_integer((json_int_t)d->hits_stale));
  json_object_set_new(o, "duplicates", json_integer((json_int_t)d->duplicates));
  json_object_set_new(o, "batches", json_integer((json_int_t)d->batches));
  if (with_identity) {
    json_object_set_new(o, "batch_nonces", json_integer((json_int_t)d->batch_nonces));
    json_object_set_new(o, "latency_ms", json_real(d->latency_ms));
  }
  return o;
}

int report_json(const struct report *r, const char *job_id, double difficulty, double elapsed_s,
                FILE *out)
{
  json_t *root = json_object();
  json_t *devices = json_array();
  for (unsigned i = 0; i < r->count; i++)
    json_array_append_new(devices, device_json(&r->devices[i], true));
  json_object_set_new(root, "version", json_string(synth_version_string()));
  json_object_set_new(root, "job", json_string(job_id));
  json_object_set_new(root, "difficulty", json_real(difficulty));
  json_object_set_new(root, "elapsed", json_real(elapsed_s));
  json_object_set_new(root, "devices", devices);
  json_object_set_new(root, "totals", device_json(&r->total, false));
  int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0 ? 0 : 1;
  fputc('\n', out);
  json_decref(root);
  return rc;
}
