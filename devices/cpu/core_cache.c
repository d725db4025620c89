/* core_cache.c: the self-benchmark's ranking kept per CPU model, so a restart skips it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/cache_file.h"
#include "devices/cpu/core_select.h"
#include "precompute/sha256.h"
#include "synth/version.h"

#define FORMAT "synth-cpu-cores 1"

static void add_text(struct synth__sha256 *h, const char *text)
{
  synth__sha256_update(h, text, strlen(text) + 1);
}

/* The key: this library's version, the CPU model, the workload and the cores it can run here
 * (a new core, or one this CPU newly runs, measures again). */
static void cache_path(const struct synth__core_cache *cache, const struct synth_workload *w,
                       char *path, size_t size)
{
  struct synth__sha256 h;
  uint8_t key[32];
  synth__sha256_init(&h);
  add_text(&h, FORMAT);
  add_text(&h, synth_version_string());
  add_text(&h, cache->model);
  add_text(&h, w->name);
  for (const struct synth_cpu_core *c = w->cpu_cores; c && c->scan; c++) {
    if (synth__core_runnable(c))
      add_text(&h, c->name);
  }
  synth__sha256_final(&h, key);
  synth__cache_path(cache->dir, "cpu", key, path, size);
}

static const struct synth_cpu_core *runnable_core(const struct synth_workload *w, const char *name)
{
  for (const struct synth_cpu_core *c = w->cpu_cores; c && c->scan; c++) {
    if (synth__core_runnable(c) && strcmp(c->name, name) == 0)
      return c;
  }
  return NULL;
}

static size_t runnable_count(const struct synth_workload *w)
{
  size_t n = 0;
  for (const struct synth_cpu_core *c = w->cpu_cores; c && c->scan; c++)
    n += synth__core_runnable(c);
  return n;
}

/* Lines "NAME HPS HPS_WALL" after the format line; anything else makes the file unusable. */
static size_t parse(char *text, const struct synth_workload *w, struct synth__core_speed *speeds,
                    size_t max)
{
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  if (!line || strcmp(line, FORMAT) != 0)
    return 0;
  size_t n = 0;
  while ((line = strtok_r(NULL, "\n", &save))) {
    char name[64];
    double hps, wall;
    const struct synth_cpu_core *c;
    if (n == max || sscanf(line, "%63s %lf %lf", name, &hps, &wall) != 3 || !(hps > 0) ||
        !(wall >= 0) || !(c = runnable_core(w, name)))
      return 0;
    for (size_t i = 0; i < n; i++) {
      if (speeds[i].core == c || speeds[i].hps < hps) /* twice, or not fastest first */
        return 0;
    }
    speeds[n++] = (struct synth__core_speed){c, hps, wall};
  }
  return n == runnable_count(w) ? n : 0;
}

size_t synth__core_cache_read(const struct synth__core_cache *cache,
                              const struct synth_workload *workload,
                              struct synth__core_speed *speeds, size_t max)
{
  if (!cache || !cache->dir || !cache->model || !workload->cpu_cores)
    return 0;
  char path[1024];
  cache_path(cache, workload, path, sizeof path);
  size_t size;
  char *data = synth__cache_read(path, &size);
  if (!data)
    return 0;
  char *text = malloc(size + 1);
  size_t n = 0;
  if (text) {
    memcpy(text, data, size);
    text[size] = '\0';
    n = strlen(text) == size ? parse(text, workload, speeds, max) : 0;
  }
  free(text);
  free(data);
  return n;
}

int synth__core_cache_write(const struct synth__core_cache *cache,
                            const struct synth_workload *workload,
                            const struct synth__core_speed *speeds, size_t n)
{
  if (!cache || !cache->dir || !cache->model || n == 0)
    return -1;
  char text[SYNTH__CORES_MAX * 128 + 32];
  size_t used = (size_t)snprintf(text, sizeof text, "%s\n", FORMAT);
  /* %.17g reads back to the same double: the ranking from the file reads as it was measured */
  for (size_t i = 0; i < n && i < SYNTH__CORES_MAX; i++)
    used += (size_t)snprintf(text + used, sizeof text - used, "%.63s %.17g %.17g\n",
                             speeds[i].core->name, speeds[i].hps, speeds[i].hps_wall);
  if (used >= sizeof text)
    return -1;
  char path[1024];
  cache_path(cache, workload, path, sizeof path);
  return synth__cache_write(path, text, used);
}
