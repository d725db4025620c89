/* stats_table.c: an API snapshot as a table of text cells, for the terminal and for --once. */
#include "stats_table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "text_clean.h"

enum column {
  C_ID,
  C_KIND,
  C_NAME,
  C_R10,
  C_R60,
  C_BATCH,
  C_P50,
  C_P95,
  C_ACC,
  C_REJ,
  C_STALE,
  C_HW,
  C_TEMP,
  C_POWER,
  C_JTH,
  C_STATE
};

static const struct {
  const char *title;
  int width;
  bool right; /* numbers line up on the right */
} columns[STATS_COLUMNS] = {
    [C_ID] = {"DEVICE", 9, false},   [C_KIND] = {"KIND", 6, false},
    [C_NAME] = {"NAME", 30, false},  [C_R10] = {"H/S 10S", 12, true},
    [C_R60] = {"H/S 60S", 12, true}, [C_BATCH] = {"BATCH", 8, true},
    [C_P50] = {"P50 MS", 8, true},   [C_P95] = {"P95 MS", 8, true},
    [C_ACC] = {"ACC", 7, true},      [C_REJ] = {"REJ", 5, true},
    [C_STALE] = {"STALE", 6, true},  [C_HW] = {"HWERR", 6, true},
    [C_TEMP] = {"TEMP C", 6, true},  [C_POWER] = {"POWER W", 8, true},
    [C_JTH] = {"J/TH", 8, true},     [C_STATE] = {"STATE", 11, false},
};

#define NAME_MIN 4

static double num(json_t *o, const char *key)
{
  return json_number_value(json_object_get(o, key));
}

/* A string of the snapshot into buf, cleaned for the terminal (text_clean.h): it comes from
 * whatever answered at --url. "?" when it is missing. */
static const char *str(const struct stats_table *t, json_t *o, const char *key, char *buf,
                       size_t size)
{
  const char *s = json_string_value(json_object_get(o, key));
  text_clean(buf, size, s ? s : "?", t->utf8);
  return buf;
}

/* 114688 stays as it is; a GPU's hundreds of millions become "268.4M". */
static void count_cell(char *cell, size_t size, double v)
{
  static const char *const units[] = {"", "k", "M", "G", "T"};
  int u = 0;
  if (v < 1e6) {
    snprintf(cell, size, "%.0f", v);
    return;
  }
  while (v >= 1000 && u < 4) {
    v /= 1000;
    u++;
  }
  snprintf(cell, size, "%.1f%s", v, units[u]);
}

static void fill_counts(struct stats_row *r, json_t *o)
{
  count_cell(r->cell[C_ACC], sizeof r->cell[C_ACC], num(o, "accepted"));
  count_cell(r->cell[C_REJ], sizeof r->cell[C_REJ], num(o, "rejected"));
  count_cell(r->cell[C_STALE], sizeof r->cell[C_STALE], num(o, "stale"));
  count_cell(r->cell[C_HW], sizeof r->cell[C_HW], num(o, "hw_errors"));
  report_rate(num(o, "hashrate_10s"), r->cell[C_R10], sizeof r->cell[C_R10]);
  report_rate(num(o, "hashrate_60s"), r->cell[C_R60], sizeof r->cell[C_R60]);
}

/* A sensor figure with @decimals, or "-" when the device does not read it. */
static void sensor_cell(char *cell, size_t size, json_t *o, const char *key, int decimals)
{
  json_t *v = json_object_get(o, key);
  if (json_is_number(v))
    snprintf(cell, size, "%.*f", decimals, json_number_value(v));
  else
    snprintf(cell, size, "-");
}

static void fill_sensors(struct stats_row *r, json_t *o)
{
  sensor_cell(r->cell[C_TEMP], sizeof r->cell[C_TEMP], o, "temperature_c", 0);
  sensor_cell(r->cell[C_POWER], sizeof r->cell[C_POWER], o, "power_w", 1);
  sensor_cell(r->cell[C_JTH], sizeof r->cell[C_JTH], o, "joules_per_th", 1);
}

static void fill_device(const struct stats_table *t, struct stats_row *r, json_t *d)
{
  str(t, d, "id", r->cell[C_ID], sizeof r->cell[C_ID]);
  str(t, d, "kind", r->cell[C_KIND], sizeof r->cell[C_KIND]);
  str(t, d, "name", r->cell[C_NAME], sizeof r->cell[C_NAME]);
  str(t, d, "state", r->cell[C_STATE], sizeof r->cell[C_STATE]);
  count_cell(r->cell[C_BATCH], sizeof r->cell[C_BATCH], num(d, "batch_size"));
  json_t *lat = json_object_get(d, "latency_ms");
  snprintf(r->cell[C_P50], sizeof r->cell[C_P50], "%.2f", num(lat, "p50"));
  snprintf(r->cell[C_P95], sizeof r->cell[C_P95], "%.2f", num(lat, "p95"));
  fill_counts(r, d);
  fill_sensors(r, json_object_get(d, "sensors"));
}

/* "1h02m03s", "4m05s", "17s" */
static void uptime(char *buf, size_t size, double s)
{
  unsigned long t = s > 0 ? (unsigned long)s : 0;
  if (t >= 3600)
    snprintf(buf, size, "%luh%02lum%02lus", t / 3600, t / 60 % 60, t % 60);
  else if (t >= 60)
    snprintf(buf, size, "%lum%02lus", t / 60, t % 60);
  else
    snprintf(buf, size, "%lus", t);
}

static void fill_header(struct stats_table *t, json_t *snap, size_t devices)
{
  char up[32], rate[32], version[32], id[80], source[32];
  json_t *job = json_object_get(snap, "job");
  uptime(up, sizeof up, num(snap, "uptime_s"));
  report_rate(num(json_object_get(snap, "total"), "hashrate"), rate, sizeof rate);
  snprintf(t->header, sizeof t->header,
           "synthminer %s | up %s | job %s (%s, difficulty %.6g) | %zu device%s | %s",
           str(t, snap, "version", version, sizeof version), up, str(t, job, "id", id, sizeof id),
           str(t, job, "source", source, sizeof source), num(job, "difficulty"), devices,
           devices == 1 ? "" : "s", rate);
}

/* The node line of a solo run's snapshot (none without "solo"). */
static void fill_node(struct stats_table *t, json_t *snap)
{
  json_t *solo = json_object_get(snap, "solo"), *blocks = json_object_get(solo, "blocks");
  if (!json_is_object(solo))
    return;
  char url[128], chain[32], state[48], age[32];
  uptime(age, sizeof age, num(solo, "template_age_s"));
  snprintf(t->node, sizeof t->node,
           "node %s (%s) | %s | height %.0f | template %s old | blocks: %.0f found, %.0f "
           "accepted, %.0f rejected",
           str(t, solo, "url", url, sizeof url), str(t, solo, "chain", chain, sizeof chain),
           str(t, solo, "state", state, sizeof state), num(solo, "height"), age,
           num(blocks, "found"), num(blocks, "accepted"), num(blocks, "rejected"));
}

/* "last change 12s ago: cpu:0 paused (API)", from the snapshot's "changes" (none: ""). */
static void fill_change(struct stats_table *t, json_t *snap)
{
  json_t *changes = json_object_get(snap, "changes");
  size_t n = json_array_size(changes);
  if (n == 0)
    return;
  json_t *last = json_array_get(changes, n - 1);
  char ago[32], what[320];
  uptime(ago, sizeof ago, num(snap, "uptime_s") - num(last, "t_s"));
  snprintf(t->change, sizeof t->change, "last change %s ago: %s", ago,
           str(t, last, "change", what, sizeof what));
}

int stats_table_build(json_t *snap, bool utf8, struct stats_table *t)
{
  memset(t, 0, sizeof *t);
  t->utf8 = utf8;
  json_t *devices = json_object_get(snap, "devices");
  if (!json_is_array(devices))
    return -1;
  size_t n = json_array_size(devices);
  t->rows = calloc(n + 1, sizeof *t->rows);
  if (!t->rows)
    return -1;
  t->count = n + 1;
  t->name_width = NAME_MIN;
  for (size_t i = 0; i < n; i++) {
    fill_device(t, &t->rows[i], json_array_get(devices, i));
    int len = (int)strlen(t->rows[i].cell[C_NAME]);
    if (len > t->name_width)
      t->name_width = len < columns[C_NAME].width ? len : columns[C_NAME].width;
  }
  struct stats_row *total = &t->rows[n];
  snprintf(total->cell[C_ID], sizeof total->cell[C_ID], "total");
  fill_counts(total, json_object_get(snap, "total"));
  fill_sensors(total, json_object_get(snap, "total"));
  snprintf(total->cell[C_TEMP], sizeof total->cell[C_TEMP], "-"); /* no sum of temperatures */
  fill_header(t, snap, n);
  fill_node(t, snap);
  fill_change(t, snap);
  return 0;
}

void stats_table_free(struct stats_table *t)
{
  free(t->rows);
  memset(t, 0, sizeof *t);
}

void stats_table_line(const struct stats_table *t, size_t row, int width, char *buf, size_t size)
{
  int fixed = 0;
  for (int c = 0; c < STATS_COLUMNS; c++)
    fixed += c == C_NAME ? 1 : columns[c].width + 1; /* each column and a space */
  int name_w = t->name_width;
  if (width > 0 && fixed + name_w > width)
    name_w = width - fixed > NAME_MIN ? width - fixed : NAME_MIN;
  size_t len = 0;
  buf[0] = '\0';
  for (int c = 0; c < STATS_COLUMNS && len + 1 < size; c++) {
    const char *text = row == STATS_TITLES ? columns[c].title : t->rows[row].cell[c];
    int w = c == C_NAME ? name_w : columns[c].width;
    int cut = (int)text_prefix(text, (size_t)w); /* never half a UTF-8 character */
    int n = snprintf(buf + len, size - len, columns[c].right ? "%s%*.*s" : "%s%-*.*s", c ? " " : "",
                     w, cut, text);
    if (n < 0)
      break;
    len += (size_t)n < size - len ? (size_t)n : size - len - 1;
  }
  while (len > 0 && buf[len - 1] == ' ') /* no trailing blanks */
    buf[--len] = '\0';
  if (width > 0 && len > (size_t)width)
    buf[text_prefix(buf, (size_t)width)] = '\0';
}

void stats_table_print(const struct stats_table *t, FILE *out)
{
  char line[512];
  fprintf(out, "%s\n", t->header);
  if (t->node[0])
    fprintf(out, "%s\n", t->node);
  stats_table_line(t, STATS_TITLES, 0, line, sizeof line);
  fprintf(out, "%s\n", line);
  for (size_t i = 0; i < t->count; i++) {
    stats_table_line(t, i, 0, line, sizeof line);
    fprintf(out, "%s\n", line);
  }
  if (t->change[0])
    fprintf(out, "%s\n", t->change);
}
